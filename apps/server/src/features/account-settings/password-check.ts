import { forbidden } from '../../infra/errors.js';
import type { UserRow } from '../../storage/rows.js';
import type { AuthThrottle } from '../accounts/auth-throttle.js';
import type { Passwords } from '../accounts/password.js';

/**
 * The password a signed-in user types to confirm a sensitive change (password, email, deletion).
 * It is counted by the login throttle like a login to that account (per account and address,
 * per account, per address), so these forms are no way around the login's limits to guess it.
 */
export class PasswordCheck {
  constructor(
    private readonly throttle: AuthThrottle,
    private readonly passwords: Passwords,
  ) {}

  /** Resolves when `password` is the user's; forbidden `wrong_password` (and counted) otherwise. */
  async require(user: UserRow, password: string, address: string): Promise<void> {
    const reservation = await this.throttle.reserveLogin({ account: `user:${user.id}`, address });
    let ok: boolean;
    try {
      ok = await this.passwords.verify(user.passwordHash, password);
    } catch (err) {
      await reservation.end('aborted');
      throw err;
    }
    await reservation.end(ok ? 'success' : 'failure');
    if (!ok) throw forbidden('That is not your current password.', { reason: 'wrong_password' });
  }
}
