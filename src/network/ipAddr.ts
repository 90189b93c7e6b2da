/**
 * IP addresses as Go's net.ParseIP and net.ParseCIDR read them, for the
 * NO_PROXY rules (network/proxyEnv.ts). Pure: no lookups, only parsing.
 *
 * An address is 16 bytes; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d), as
 * Go stores it, so one comparison serves both families.
 */

export type Ip = Uint8Array;

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Dotted-quad IPv4 (Go ≥ 1.17: no leading zeros, exactly four parts). */
function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** IPv6 text (RFC 4291 §2.2, with `::` and a trailing dotted quad), no zone. */
function parseV6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === '') return [];
    const out: number[] = [];
    const fields = text.split(':');
    for (const [i, f] of fields.entries()) {
      if (i === fields.length - 1 && f.includes('.')) {
        const v4 = parseV4(f);
        if (v4 === undefined) return undefined;
        out.push(...v4);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return undefined;
      const n = Number.parseInt(f, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 16 ? head : undefined;
  const missing = 16 - head.length - tail.length;
  // `::` stands for at least one group of zeros.
  if (missing < 2) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** net.ParseIP: an IPv4 or IPv6 address, or undefined. */
export function parseIp(s: string): Ip | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return Uint8Array.from([...V4_PREFIX, ...v4]);
  if (!s.includes(':')) return undefined;
  const v6 = parseV6(s);
  return v6 === undefined ? undefined : Uint8Array.from(v6);
}

/** Whether the address is IPv4 (or IPv4-mapped IPv6). */
function isV4(ip: Ip): boolean {
  return V4_PREFIX.every((b, i) => ip[i] === b);
}

/** net.IP.IsLoopback: 127.0.0.0/8 or ::1. */
export function isLoopback(ip: Ip): boolean {
  if (isV4(ip)) return ip[12] === 127;
  return ip.every((b, i) => b === (i === 15 ? 1 : 0));
}

export function ipEqual(a: Ip, b: Ip): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A network from net.ParseCIDR: its address family, masked base and prefix length. */
export interface Cidr {
  v4: boolean;
  base: Ip;
  bits: number;
}

/** net.ParseCIDR: `addr/len`, or undefined. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  const ip = parseIp(addr);
  if (ip === undefined || !/^(0|[1-9]\d*)$/.test(len)) return undefined;
  const v4 = parseV4(addr) !== undefined;
  const bits = Number(len);
  if (bits > (v4 ? 32 : 128)) return undefined;
  return { v4, base: ip, bits };
}

/** IPNet.Contains: `ip` lies in the network (an IPv4 network holds only IPv4 addresses). */
export function cidrContains(net: Cidr, ip: Ip): boolean {
  if (net.v4 !== isV4(ip)) return false;
  const offset = net.v4 ? 12 : 0;
  for (let bit = 0; bit < net.bits; bit++) {
    const i = offset + (bit >> 3);
    const mask = 0x80 >> (bit & 7);
    if (((net.base[i] ?? 0) & mask) !== ((ip[i] ?? 0) & mask)) return false;
  }
  return true;
}
