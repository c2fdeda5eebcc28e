import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a browser stays known after its last successful login. */
export const KNOWN_DEVICE_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A browser that has logged in to an account before, as its cookie says. */
export interface KnownDevice {
  userId: bigint;
  /** Random, per cookie: the device's own failure count is kept under it. */
  id: string;
}

/**
 * Known-device cookies (OWASP's "device cookies" against online guessing): after a successful
 * login the browser gets `<userId>.<id>.<expiry>.<mac>`, an HMAC-SHA256 under a key derived from
 * the instance's encryption key (so every instance of one deployment accepts it). A later login
 * to *that* account from that browser is counted on the device alone, not on its address or on
 * the account's failures from elsewhere. It proves only that the browser once knew the password;
 * it authenticates nothing by itself, and it is bound to one account: a guesser's cookie from
 * their own account gives them nothing against another.
 */
export class KnownDevices {
  private readonly key: Buffer;

  constructor(
    secret: Buffer,
    private readonly now: () => number,
    readonly lifetimeMs = KNOWN_DEVICE_DAYS * DAY_MS,
  ) {
    this.key = Buffer.from(
      hkdfSync('sha256', secret, Buffer.alloc(0), 'decentra known-device cookie v1', 32),
    );
  }

  /** A fresh cookie value for a browser that has just logged in (or signed up) as `userId`. */
  issue(userId: bigint): string {
    const id = randomBytes(16).toString('base64url');
    const expires = Math.floor((this.now() + this.lifetimeMs) / 1000);
    const body = `${userId}.${id}.${expires}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The device a cookie names, if it is ours, unexpired and for `userId`; otherwise undefined. */
  read(value: string | undefined, userId: bigint): KnownDevice | undefined {
    if (value === undefined || value.length > 200) return undefined;
    const parts = value.split('.');
    if (parts.length !== 4) return undefined;
    const [user, id, expires, mac] = parts as [string, string, string, string];
    const expected = Buffer.from(this.mac(`${user}.${id}.${expires}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (user !== userId.toString()) return undefined;
    if (!/^\d+$/.test(expires) || Number(expires) * 1000 <= this.now()) return undefined;
    return { userId, id };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
