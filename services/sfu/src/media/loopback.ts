import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
// IPv4-mapped loopback (RFC 4291 §2.5.5.2) is the same host.
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** True for a literal loopback address: 127.0.0.0/8 or ::1 (host names are not addresses). */
export function isLoopbackAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return loopback.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}
