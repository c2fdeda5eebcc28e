import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  addressRefusal,
  assertPublicHost,
  hostOf,
  PrivateAddressError,
  publicOnlyLookup,
} from './safe-lookup.js';

describe('addresses the server may fetch from', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.192', 'reserved'],
    ['168.63.129.16', 'metadata'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['2001:db8::1', 'reserved'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378::1', 'teredo'],
    ['100::1', 'discard'],
  ])('refuses %s (%s)', (address, range) => {
    expect(addressRefusal(address)).toBe(range);
  });

  it('judges IPv4-mapped and NAT64 IPv6 addresses by the IPv4 address inside', () => {
    expect(addressRefusal('::ffff:127.0.0.1')).toBe('loopback');
    expect(addressRefusal('::ffff:7f00:1')).toBe('loopback');
    expect(addressRefusal('::ffff:10.0.0.1')).toBe('private');
    expect(addressRefusal('::ffff:169.254.169.254')).toBe('linkLocal');
    expect(addressRefusal('64:ff9b::a00:1')).toBe('private');
    expect(addressRefusal('64:ff9b::7f00:1')).toBe('loopback');
    expect(addressRefusal('::ffff:8.8.8.8')).toBeUndefined();
    expect(addressRefusal('64:ff9b::808:808')).toBeUndefined();
  });

  it('lets global unicast addresses through, bracketed or not', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '142.250.74.78',
      '2606:4700::1111',
      '[2a00:1450:4001::200e]',
    ]) {
      expect(addressRefusal(address)).toBeUndefined();
    }
  });

  it('refuses what is no address at all', () => {
    expect(addressRefusal('example.org')).toBe('invalid');
    expect(addressRefusal('')).toBe('invalid');
  });

  it('takes the host of a URL as the WHATWG parser normalised it', () => {
    expect(hostOf(new URL('https://[::ffff:127.0.0.1]/x'))).toBe('::ffff:7f00:1');
    expect(hostOf(new URL('https://0x7f000001/'))).toBe('127.0.0.1');
    expect(hostOf(new URL('https://2130706433/'))).toBe('127.0.0.1');
    expect(hostOf(new URL('https://push.example.org:8443/a'))).toBe('push.example.org');
  });
});

describe('resolving a host', () => {
  it('refuses address literals and names that resolve to a refused address', async () => {
    await expect(assertPublicHost('127.0.0.1')).rejects.toBeInstanceOf(PrivateAddressError);
    await expect(assertPublicHost('::1')).rejects.toThrow(/::1 is a loopback address/);
    await expect(assertPublicHost('localhost')).rejects.toThrow(/localhost resolves to .* loopback address/);
    await expect(assertPublicHost('8.8.8.8')).resolves.toBeUndefined();
  });

  it('fails a socket lookup of a name that resolves to a refused address, one or all', async () => {
    const one = await new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
      publicOnlyLookup('localhost', {}, (err, address) => resolve({ err, address })),
    );
    expect(one.err).toBeInstanceOf(PrivateAddressError);
    expect(one.err?.code).toBe('ERR_PRIVATE_ADDRESS');
    const all = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (err) => resolve(err)),
    );
    expect(all).toBeInstanceOf(PrivateAddressError);
  });

  it('passes a lookup that finds nothing refused on, in the shape asked for', async () => {
    // An address literal is looked up to itself: a public one shows the shapes without a network.
    const one = await new Promise<{ address: unknown; family: unknown }>((resolve, reject) =>
      publicOnlyLookup('8.8.8.8', {}, (err, address, family) =>
        err ? reject(err) : resolve({ address, family }),
      ),
    );
    expect(one).toEqual({ address: '8.8.8.8', family: 4 });
    const all = await new Promise<string | LookupAddress[]>((resolve, reject) =>
      publicOnlyLookup('8.8.8.8', { all: true }, (err, addresses) =>
        err ? reject(err) : resolve(addresses),
      ),
    );
    expect(all).toEqual([{ address: '8.8.8.8', family: 4 }]);
  });
});
