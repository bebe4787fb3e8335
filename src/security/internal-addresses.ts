import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses a webhook must never reach unless its project allows them: everything that is not
 * a public unicast address. A sender that strangers can point anywhere would otherwise be a way into
 * the network it runs in (cloud metadata at 169.254.169.254, an admin port on loopback, a database on
 * a private range).
 */

interface Range {
  /** How the range is named in refusals, so that an operator sees why a target was refused. */
  name: string;
  cidr: string;
}

const IPV4_RANGES: readonly Range[] = [
  { name: 'unspecified ("this network")', cidr: '0.0.0.0/8' },
  { name: 'private (RFC 1918)', cidr: '10.0.0.0/8' },
  { name: 'shared address space (CGNAT)', cidr: '100.64.0.0/10' },
  { name: 'loopback', cidr: '127.0.0.0/8' },
  { name: 'link-local (cloud metadata lives here)', cidr: '169.254.0.0/16' },
  { name: 'private (RFC 1918)', cidr: '172.16.0.0/12' },
  { name: 'IETF protocol assignments', cidr: '192.0.0.0/24' },
  { name: 'documentation (TEST-NET-1)', cidr: '192.0.2.0/24' },
  { name: 'private (RFC 1918)', cidr: '192.168.0.0/16' },
  { name: 'benchmarking', cidr: '198.18.0.0/15' },
  { name: 'documentation (TEST-NET-2)', cidr: '198.51.100.0/24' },
  { name: 'documentation (TEST-NET-3)', cidr: '203.0.113.0/24' },
  { name: 'multicast', cidr: '224.0.0.0/4' },
  { name: 'reserved (incl. broadcast)', cidr: '240.0.0.0/4' },
];

const IPV6_RANGES: readonly Range[] = [
  { name: 'unspecified', cidr: '::/128' },
  { name: 'loopback', cidr: '::1/128' },
  { name: 'discard-only', cidr: '100::/64' },
  { name: 'local-use NAT64', cidr: '64:ff9b:1::/48' },
  { name: 'documentation', cidr: '2001:db8::/32' },
  { name: 'unique-local', cidr: 'fc00::/7' },
  { name: 'link-local', cidr: 'fe80::/10' },
  { name: 'site-local (deprecated)', cidr: 'fec0::/10' },
  { name: 'multicast', cidr: 'ff00::/8' },
];

interface CompiledRange {
  name: string;
  list: BlockList;
}

function compile(ranges: readonly Range[], family: 'ipv4' | 'ipv6'): CompiledRange[] {
  return ranges.map(({ name, cidr }) => {
    const [network = '', prefix = ''] = cidr.split('/');
    const list = new BlockList();
    list.addSubnet(network, Number(prefix), family);
    return { name, list };
  });
}

const COMPILED_IPV4 = compile(IPV4_RANGES, 'ipv4');
const COMPILED_IPV6 = compile(IPV6_RANGES, 'ipv6');

/** The 16 bytes of an IPv6 address in any of its spellings (`::`, embedded dotted quad). */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const words = [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    const value = Number.parseInt(word, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function dottedQuad(bytes: Uint8Array, offset: number): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join('.');
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  return bytes.subarray(from, to).every((byte) => byte === 0);
}

/**
 * The IPv4 address an IPv6 address stands for, where it is only a wrapper around one: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::).
 * Each of them can carry a connection to the IPv4 address, so each is judged as that address.
 */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (allZero(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return dottedQuad(bytes, 12);
  // ::/96 but for :: and ::1 themselves, which are IPv6's own unspecified and loopback addresses.
  if (allZero(bytes, 0, 12) && !(allZero(bytes, 12, 15) && (bytes[15] ?? 0) <= 1)) {
    return dottedQuad(bytes, 12);
  }
  const nat64 = [0x00, 0x64, 0xff, 0x9b];
  if (nat64.every((byte, index) => bytes[index] === byte) && allZero(bytes, 4, 12)) {
    return dottedQuad(bytes, 12);
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return dottedQuad(bytes, 2);
  return undefined;
}

/**
 * Why an IP address is internal (the name of its range), or undefined for a public unicast address.
 * Throws for text that is not an IP address: callers resolve names first.
 */
export function internalRangeOf(ip: string): string | undefined {
  // A zone (fe80::1%eth0) names an interface, not a different address.
  const address = ip.split('%')[0] ?? ip;
  if (isIPv4(address)) return COMPILED_IPV4.find(({ list }) => list.check(address, 'ipv4'))?.name;
  if (!isIPv6(address)) throw new TypeError(`not an IP address: ${ip}`);
  const inner = embeddedIpv4(address);
  if (inner !== undefined) {
    const range = internalRangeOf(inner);
    return range === undefined ? undefined : `${range}, as an IPv4 address inside IPv6`;
  }
  return COMPILED_IPV6.find(({ list }) => list.check(address, 'ipv6'))?.name;
}
