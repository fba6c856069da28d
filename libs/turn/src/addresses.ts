import { isIPv4, isIPv6 } from 'node:net';

/**
 * Peer ranges the relay must never reach: every private, loopback, link-local, shared, documentation, benchmarking,
 * multicast and reserved block of the IANA special-purpose registries (RFC 6890 and its updates), IPv4 and IPv6,
 * plus the IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) so a denied IPv4 host cannot be
 * reached under an IPv6 spelling. coturn relays to anything else unless `allowed-peer-ip` names it.
 */
export const DENIED_PEER_CIDRS: readonly string[] = [
  // IPv4 (RFC 6890 §2.2.2, RFC 5735)
  '0.0.0.0/8', // "this network" (RFC 1122 §3.2.1.3)
  '10.0.0.0/8', // private (RFC 1918)
  '100.64.0.0/10', // shared address space, carrier-grade NAT (RFC 6598)
  '127.0.0.0/8', // loopback (RFC 1122)
  '169.254.0.0/16', // link-local, cloud metadata 169.254.169.254 (RFC 3927)
  '172.16.0.0/12', // private (RFC 1918)
  '192.0.0.0/24', // IETF protocol assignments (RFC 6890)
  '192.0.2.0/24', // TEST-NET-1 (RFC 5737)
  '192.88.99.0/24', // 6to4 relay anycast (RFC 7526)
  '192.168.0.0/16', // private (RFC 1918)
  '198.18.0.0/15', // benchmarking (RFC 2544)
  '198.51.100.0/24', // TEST-NET-2 (RFC 5737)
  '203.0.113.0/24', // TEST-NET-3 (RFC 5737)
  '224.0.0.0/4', // multicast (RFC 5771)
  '240.0.0.0/4', // reserved, and 255.255.255.255 limited broadcast (RFC 1112, RFC 919)
  // IPv6 (RFC 6890 §2.2.3)
  '::/128', // unspecified (RFC 4291)
  '::1/128', // loopback (RFC 4291)
  '::/96', // IPv4-compatible, deprecated (RFC 4291 §2.5.5.1)
  '::ffff:0:0/96', // IPv4-mapped (RFC 4291 §2.5.5.2)
  '64:ff9b::/96', // NAT64 well-known prefix (RFC 6052)
  '64:ff9b:1::/48', // local-use NAT64 (RFC 8215)
  '100::/64', // discard-only (RFC 6666)
  '2001::/23', // IETF protocol assignments, including Teredo 2001::/32 (RFC 2928, RFC 4380)
  '2001:db8::/32', // documentation (RFC 3849)
  '2002::/16', // 6to4, embeds an IPv4 address (RFC 3056)
  'fc00::/7', // unique local (RFC 4193)
  'fe80::/10', // link-local (RFC 4291)
  'fec0::/10', // site-local, deprecated (RFC 3879)
  'ff00::/8', // multicast (RFC 4291)
];

/** An IP address or CIDR block. */
export function isIpOrCidr(text: string): boolean {
  const [ip, bits, ...rest] = text.split('/');
  if (rest.length > 0 || ip === undefined) return false;
  const width = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : 0;
  if (width === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= width;
}

/**
 * A CIDR block (or one address) as coturn's `ip[-ip]` range syntax: coturn 4.6 reads `denied-peer-ip` and
 * `allowed-peer-ip` as first-last ranges, not as prefixes.
 */
export function cidrToCoturnRange(cidr: string): string {
  if (!isIpOrCidr(cidr)) throw new Error(`not an IP address or CIDR block: ${cidr}`);
  const [ip, bits] = cidr.split('/') as [string, string | undefined];
  const v4 = isIPv4(ip);
  const width = v4 ? 32 : 128;
  const prefix = bits === undefined ? width : Number(bits);
  const value = v4 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const first = value & ~hostMask & ((1n << BigInt(width)) - 1n);
  const last = first | hostMask;
  const format = v4 ? bigIntToIpv4 : bigIntToIpv6;
  return first === last ? format(first) : `${format(first)}-${format(last)}`;
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  // A trailing dotted quad (::ffff:10.0.0.1) becomes two hextets.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = ipv4ToBigInt(quad[1]!);
    text = `${text.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headParts.length - tailParts.length).fill('0');
  return [...headParts, ...zeros, ...tailParts].reduce((acc, part) => (acc << 16n) | BigInt(`0x${part}`), 0n);
}

function bigIntToIpv6(value: bigint): string {
  const parts = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run of two or more zero hextets.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (parts[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = parts.map((p) => p.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** The network-order bytes of an IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export function ipToBytes(ip: string): Buffer {
  const v4 = isIPv4(ip);
  if (!v4 && !isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  const width = v4 ? 4 : 16;
  let value = v4 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip);
  const out = Buffer.alloc(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}
