import { readFileSync } from 'node:fs';

/** One IPv4 UDP socket from /proc/net/udp. */
export interface UdpSocketRow {
  localPort: number;
  /** Bytes waiting in the receive queue. */
  rxQueueBytes: number;
  /** Datagrams dropped since the socket was created (receive buffer full, mostly). */
  drops: number;
}

/** Parses /proc/net/udp: "sl local rem st tx_queue:rx_queue … inode ref pointer drops". */
export function parseProcNetUdp(text: string): UdpSocketRow[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 13)
    .map((fields) => ({
      localPort: parseInt(fields[1].split(':')[1], 16),
      rxQueueBytes: parseInt(fields[4].split(':')[1], 16),
      drops: Number(fields[fields.length - 1]),
    }));
}

/** Sum of the drop counters of the IPv4 UDP sockets bound to `ports`. */
export function readUdpDrops(ports: Iterable<number>): number {
  const wanted = new Set(ports);
  return parseProcNetUdp(readFileSync('/proc/net/udp', 'utf8'))
    .filter((row) => wanted.has(row.localPort))
    .reduce((acc, row) => acc + row.drops, 0);
}
