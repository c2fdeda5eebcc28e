import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/manual-clock.js';
import { KNOWN_DEVICE_DAYS, KnownDevices } from './known-device.js';

const SECRET = Buffer.alloc(32, 3);
const DAY = 24 * 60 * 60 * 1000;

describe('known-device cookies', () => {
  it('name their account and a device of their own', () => {
    const devices = new KnownDevices(SECRET, () => Date.now());
    const a = devices.issue(42n);
    const b = devices.issue(42n);
    expect(devices.read(a, 42n)?.userId).toBe(42n);
    expect(devices.read(a, 42n)?.id).not.toBe(devices.read(b, 42n)?.id);
  });

  it('are worth nothing for another account, rewritten, or under another key', () => {
    const devices = new KnownDevices(SECRET, () => Date.now());
    const value = devices.issue(42n);
    expect(devices.read(value, 43n)).toBeUndefined();
    expect(devices.read(value.replace(/^42\./, '43.'), 43n)).toBeUndefined();
    const [user, id, expires] = value.split('.');
    expect(devices.read(`${user}.${id}.${Number(expires) + 1}.${value.split('.')[3]}`, 42n)).toBeUndefined();
    expect(new KnownDevices(Buffer.alloc(32, 4), () => Date.now()).read(value, 42n)).toBeUndefined();
    for (const junk of ['', 'x', '1.2.3', '1.2.3.4.5', `${value}.`, 'a'.repeat(500)])
      expect(devices.read(junk, 42n)).toBeUndefined();
  });

  it(`last ${KNOWN_DEVICE_DAYS} days from when they were set`, () => {
    const clock = new ManualClock();
    const devices = new KnownDevices(SECRET, () => clock.now());
    const value = devices.issue(7n);
    clock.advance(KNOWN_DEVICE_DAYS * DAY - 1000);
    expect(devices.read(value, 7n)).toBeDefined();
    clock.advance(1000);
    expect(devices.read(value, 7n)).toBeUndefined();
  });
});
