import { argon2Passwords, type Passwords } from '../src/features/accounts/password.js';

/**
 * The real argon2 hashing and checking, counted: handed to the app (`passwords`), it sees every
 * password check the login path makes, the timing equaliser's for unknown names included.
 */
export class CountedPasswords implements Passwords {
  hashes = 0;
  verifications = 0;

  constructor(private readonly real: Passwords = argon2Passwords) {}

  hash(password: string): Promise<string> {
    this.hashes++;
    return this.real.hash(password);
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    this.verifications++;
    return this.real.verify(passwordHash, password);
  }

  /** Starts counting afresh (after a test's setup). */
  reset(): void {
    this.hashes = 0;
    this.verifications = 0;
  }
}
