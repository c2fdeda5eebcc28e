import { hash, verify } from '@node-rs/argon2';

/**
 * Hashing and checking passwords. The accounts service takes one, so that a test can count the
 * real checks made (by wrapping this one) and the throttle's promise, "at most so many password
 * checks", is measured on the code path that runs in production.
 */
export interface Passwords {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash that cannot be read. */
  verify(passwordHash: string, password: string): Promise<boolean>;
}

// @node-rs/argon2 defaults to argon2id with m=19 MiB, t=2, p=1 (OWASP's recommended minimum).
export const argon2Passwords: Passwords = {
  hash: (password) => hash(password),
  async verify(passwordHash, password) {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  },
};

/**
 * Spends the same time on an unknown username as on a wrong password, so timing tells nothing:
 * a real check, against a hash made once per `Passwords`.
 */
export class TimingEqualiser {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly passwords: Passwords) {}

  async burn(password: string): Promise<void> {
    this.dummyHash ??= this.passwords.hash('decentra-timing-equaliser');
    await this.passwords.verify(await this.dummyHash, password);
  }
}
