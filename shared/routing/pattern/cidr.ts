/**
 * IP addresses and CIDR blocks as event-ruler reads them: only plain dotted-quad IPv4 and
 * hex-and-colon IPv6 literals count as addresses (no zone ids, no embedded IPv4), and a
 * CIDR mask must leave at least one variable bit (`/32` and `/128` are refused).
 */

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const MASK_SHAPE = /^[+-]?[0-9]+$/;

/** A parsed address: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. */
export type IpAddress =
  { readonly family: 4; readonly value: number } | { readonly family: 6; readonly value: bigint };

/** An inclusive address range produced by a CIDR operand. */
export type CidrRange =
  | { readonly family: 4; readonly low: number; readonly high: number }
  | { readonly family: 6; readonly low: bigint; readonly high: bigint };

function parseIpv4(text: string): number | undefined {
  if (!IPV4_SHAPE.test(text)) return undefined;
  let value = 0;
  for (const octet of text.split('.')) {
    // Octets are decimal even with leading zeros, as Java's InetAddress reads them.
    const n = Number.parseInt(octet, 10);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function parseIpv6Groups(text: string): string[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  return groups.every((group) => IPV6_GROUP.test(group)) ? groups : undefined;
}

function parseIpv6(text: string): bigint | undefined {
  if (!IPV6_SHAPE.test(text)) return undefined;
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::')) return undefined;
  const head = parseIpv6Groups(gap < 0 ? text : text.slice(0, gap));
  const tail = parseIpv6Groups(gap < 0 ? '' : text.slice(gap + 2));
  if (head === undefined || tail === undefined) return undefined;
  const present = head.length + tail.length;
  if (gap < 0 ? present !== 8 : present > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - present).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  return value;
}

/** Parses an IPv4 or IPv6 literal, or returns undefined for anything else. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

/** A canonical key for an IP literal, so `2001:db8::1` and `2001:DB8:0:0:0:0:0:1` compare equal. */
export function ipKey(text: string): string | undefined {
  const ip = parseIpAddress(text);
  if (ip === undefined) return undefined;
  return ip.family === 4 ? `4:${ip.value}` : `6:${ip.value.toString(16)}`;
}

/** Parses a CIDR operand, or returns the reason EventBridge would refuse it. */
export function parseCidr(operand: string): CidrRange | { readonly problem: string } {
  const pieces = operand.split('/');
  const [address, mask] = pieces;
  if (pieces.length !== 2 || address === undefined || mask === undefined || mask === '') {
    return { problem: "Malformed CIDR, one '/' required" };
  }
  const bits = MASK_SHAPE.test(mask) ? Number.parseInt(mask, 10) : Number.NaN;
  if (!Number.isSafeInteger(bits) || Math.abs(bits) > 2 ** 31) {
    return { problem: 'Malformed CIDR, mask bits must be an integer' };
  }
  if (bits < 0) return { problem: 'Malformed CIDR, mask bits must not be negative' };
  if (!IPV4_SHAPE.test(address) && !IPV6_SHAPE.test(address)) {
    return { problem: `Nonstandard IP address: ${address}` };
  }
  const ip = parseIpAddress(address);
  if (ip === undefined) return { problem: `Invalid IP address: ${address}` };
  if (ip.family === 4) {
    if (bits > 31) return { problem: 'IPv4 mask bits must be < 32' };
    const size = 2 ** (32 - bits);
    const low = Math.floor(ip.value / size) * size;
    return { family: 4, low, high: low + size - 1 };
  }
  if (bits > 127) return { problem: 'IPv6 mask bits must be < 128' };
  const size = 1n << BigInt(128 - bits);
  const low = (ip.value / size) * size;
  return { family: 6, low, high: low + size - 1n };
}

/** Compiles a CIDR range into a test on event strings; non-addresses never match. */
export function cidrTester(range: CidrRange): (value: string) => boolean {
  if (range.family === 4) {
    const { low, high } = range;
    return (value) => {
      const n = parseIpv4(value);
      return n !== undefined && n >= low && n <= high;
    };
  }
  const { low, high } = range;
  return (value) => {
    const n = parseIpv6(value);
    return n !== undefined && n >= low && n <= high;
  };
}
