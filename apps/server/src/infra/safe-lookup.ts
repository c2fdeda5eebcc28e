import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, type AgentOptions as HttpAgentOptions } from 'node:http';
import { Agent, type AgentOptions } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The server fetching a URL someone else gave it (a push endpoint now, a link preview later) must
 * not be steered at itself, its network or its cloud's metadata service (SSRF). Only global
 * unicast addresses pass: loopback, private (RFC 1918), link-local, unique-local, CGNAT,
 * multicast, broadcast, unspecified, documentation/benchmarking/reserved ranges and Teredo/6to4
 * are refused; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::a.b.c.d`) addresses are
 * judged by the IPv4 address inside. The classification is ipaddr.js's ranges.
 */

/** Metadata services that answer on addresses the ranges alone would let through. */
const METADATA_ADDRESSES = new Set([
  // Azure's WireServer (a public-looking address only the VM reaches).
  '168.63.129.16',
]);

/** Why an address is refused (its ipaddr.js range, or `metadata`), or undefined when it is public. */
export function addressRefusal(address: string): string | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return 'invalid';
  let parsed = ipaddr.parse(bare);
  if (parsed instanceof ipaddr.IPv6) {
    const range = parsed.range();
    if (range === 'ipv4Mapped') parsed = parsed.toIPv4Address();
    else if (range === 'rfc6052') parsed = ipaddr.fromByteArray(parsed.toByteArray().slice(12));
  }
  const range = parsed.range();
  if (range !== 'unicast') return range;
  if (METADATA_ADDRESSES.has(parsed.toNormalizedString())) return 'metadata';
  return undefined;
}

/** A host (name or address) that is, or resolves to, an address the server must not reach. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  readonly code = 'ERR_PRIVATE_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      host === address
        ? `${host} is a ${range} address`
        : `${host} resolves to ${address}, a ${range} address`,
    );
  }
}

/**
 * dns.lookup is getaddrinfo on libuv's thread pool (4 threads by default, shared with file I/O),
 * and a lookup cannot be cancelled: names chosen by users whose DNS answers slowly could tie up
 * every thread. At most this many of our lookups run at once; the rest wait their turn, and past
 * MAX_WAITING_LOOKUPS a lookup fails at once.
 */
const MAX_RUNNING_LOOKUPS = 2;
const MAX_WAITING_LOOKUPS = 200;
let runningLookups = 0;
const waitingLookups: Array<() => void> = [];

/** Every address of `host`, through the bounded pool above. */
function lookupAll(
  host: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
): void {
  const start = () => {
    runningLookups++;
    dnsLookup(host, { ...options, all: true }, (err, addresses) => {
      runningLookups--;
      waitingLookups.shift()?.();
      callback(err, err ? [] : addresses);
    });
  };
  if (runningLookups < MAX_RUNNING_LOOKUPS) start();
  else if (waitingLookups.length < MAX_WAITING_LOOKUPS) waitingLookups.push(start);
  else callback(Object.assign(new Error(`too many lookups waiting (${host})`), { code: 'EBUSY' }), []);
}

/** A URL's host as a name or a bare address (`[::1]` → `::1`). */
export function hostOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function refusalOf(
  host: string,
  addresses: readonly string[],
  allowed?: ReadonlySet<string>,
): PrivateAddressError | undefined {
  for (const address of addresses) {
    if (allowed?.has(address)) continue;
    const range = addressRefusal(address);
    if (range !== undefined) return new PrivateAddressError(host, address, range);
  }
  return undefined;
}

/**
 * Resolves `host` (an address stands for itself) and throws PrivateAddressError when any of its
 * addresses is refused (a name with one private address among public ones is refused whole).
 */
export async function assertPublicHost(host: string): Promise<void> {
  if (isIP(host) !== 0) {
    const refusal = refusalOf(host, [host]);
    if (refusal) throw refusal;
    return;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    lookupAll(host, { verbatim: true }, (err, found) => (err ? reject(err) : resolve(found))),
  );
  const refusal = refusalOf(
    host,
    addresses.map((a) => a.address),
  );
  if (refusal) throw refusal;
}

/**
 * A `lookup` for sockets (net, tls, http(s) agents) that fails with PrivateAddressError when the
 * name resolves to a refused address: the check happens on the addresses actually connected to,
 * so a name that resolved to a public address at first and to a private one now (DNS rebinding)
 * gains nothing. Node connects to an address literal without calling `lookup`: check those with
 * assertPublicHost before connecting.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) =>
  checkedLookup(hostname, options, callback, undefined);

/**
 * publicOnlyLookup, except that these addresses pass too: one host of a LAN, or a test's own
 * loopback server while every other private address stays refused.
 */
export function lookupAllowing(allowed: ReadonlySet<string>): LookupFunction {
  return (hostname, options, callback) => checkedLookup(hostname, options, callback, allowed);
}

function checkedLookup(
  hostname: string,
  options: LookupOptions,
  callback: Parameters<LookupFunction>[2],
  allowed: ReadonlySet<string> | undefined,
): void {
  lookupAll(hostname, options, (err, addresses) => {
    if (err) {
      callback(err, '', 4);
      return;
    }
    const refusal = refusalOf(
      hostname,
      addresses.map((a) => a.address),
      allowed,
    );
    const first = addresses[0];
    if (refusal || !first) {
      const failure: NodeJS.ErrnoException =
        refusal ?? Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
      callback(failure, '', 4);
      return;
    }
    // Node asks for every address with `all` (happy eyeballs), else for one.
    if (options.all) callback(null, addresses);
    else callback(null, first.address, first.family);
  });
}

/** A socket `lookup` through the bounded pool, refusing nothing (private addresses allowed). */
const boundedLookup: LookupFunction = (hostname, options, callback) => {
  lookupAll(hostname, options, (err, addresses) => {
    const first = addresses[0];
    if (err || !first) {
      callback(err ?? Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
      return;
    }
    if (options.all) callback(null, addresses);
    else callback(null, first.address, first.family);
  });
};

/**
 * An https.Agent for fetching URLs others gave: names are resolved through publicOnlyLookup, or
 * with private addresses allowed (a LAN install, tests) through the same bounded pool.
 */
export function outboundAgent(options: AgentOptions & { allowPrivate: boolean }): Agent {
  const { allowPrivate, ...agentOptions } = options;
  return new Agent({ ...agentOptions, lookup: allowPrivate ? boundedLookup : publicOnlyLookup });
}

/** Which private addresses an outbound agent may reach: all (true), none (false), or these. */
export type PrivateAllowance = boolean | ReadonlySet<string>;

function lookupFor(allowPrivate: PrivateAllowance): LookupFunction {
  if (allowPrivate === true) return boundedLookup;
  if (allowPrivate === false) return publicOnlyLookup;
  return lookupAllowing(allowPrivate);
}

/** outboundAgent for https and plain http (link previews fetch http: pages too), with any allowance. */
export function outboundAgents(options: HttpAgentOptions & { allowPrivate: PrivateAllowance }): {
  https: Agent;
  http: HttpAgent;
} {
  const { allowPrivate, ...agentOptions } = options;
  const lookup = lookupFor(allowPrivate);
  return { https: new Agent({ ...agentOptions, lookup }), http: new HttpAgent({ ...agentOptions, lookup }) };
}
