// Where a webhook may be sent (SSRF): http and https URLs whose host resolves only to public addresses.
// Loopback, RFC 1918 private, unique-local (fc00::/7), link-local (169.254/16 — the cloud metadata
// service — and fe80::/10), CGNAT (RFC 6598), unspecified, multicast, reserved and the IPv4 special-use
// blocks of RFC 6890 are refused, unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is set. Checked at registration
// and again at each delivery on the address actually connected to (DNS rebinding: send.ts connects to
// the address checked here, never looks the name up again).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { errors } from '../errors/catalogue.js';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified (RFC 1122)
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // CGNAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254 (RFC 3927)
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0', 24], // documentation (RFC 5737)
  ['192.88.99.0', 24], // 6to4 relay anycast (RFC 7526)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (RFC 6052): reaches IPv4 addresses, checked as such would need the embedded one
  ['100::', 64], // discard (RFC 6666)
  ['2001:db8::', 32], // documentation (RFC 3849)
  ['fc00::', 7], // unique local (RFC 4193), fd00:ec2::254 metadata
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it carries. */
function unmapped(address: string): { address: string; family: 4 | 6 } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return { address: m[1]!, family: 4 };
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

/** Whether a literal IP address is one a webhook may not reach (the list above). */
export function isNonPublicAddress(address: string): boolean {
  const a = unmapped(address);
  if (a.family === 6 && /^::ffff:/i.test(address)) return true; // mapped forms BlockList cannot read as IPv4
  return blocked.check(a.address, a.family === 4 ? 'ipv4' : 'ipv6');
}

/** A URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** The URL as a webhook target: http(s), a host, no credentials. Throws a field error naming what is wrong. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw errors.field('url', 'Give an absolute http:// or https:// URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw errors.field('url', 'Only http:// and https:// URLs receive webhooks.');
  if (url.username || url.password) throw errors.field('url', 'Put no user name or password in the URL; the signature authenticates each delivery.');
  if (!hostOf(url)) throw errors.field('url', 'The URL has no host.');
  return url;
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

/** Why a target was refused: a sentence for the person who registered it (and the delivery record). */
export class RefusedTarget extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedTarget';
  }
}

/**
 * The address to connect to for `url`: its host resolved (every address it has must be public, so a name
 * that also points inward is refused) — or, with private networks allowed, simply the first address.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<ResolvedTarget> {
  const host = hostOf(url);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      throw new RefusedTarget(`The host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'DNS error'}).`);
    }
  }
  if (!addresses.length) throw new RefusedTarget(`The host ${host} has no address.`);
  if (!allowPrivate) {
    const inward = addresses.find((a) => isNonPublicAddress(a.address));
    if (inward) throw new RefusedTarget(`${host} resolves to ${inward.address}, a loopback, private, link-local or otherwise non-public address; webhooks go to public addresses only (an admin may allow private networks with WEBHOOK_ALLOW_PRIVATE_NETWORKS).`);
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** The check at registration: a URL we could deliver to now, or a field error saying why not. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  const url = parseWebhookUrl(raw);
  try {
    await resolveTarget(url, allowPrivate);
  } catch (error) {
    if (error instanceof RefusedTarget) throw errors.field('url', error.message);
    throw error;
  }
  return url;
}
