import type { AuthResponse, LoginBody, SignupBody, User } from '@decentra/protocol';
import { CLOSE_CODES } from '@decentra/protocol';
import type { BusMessage } from '../../bus/bus.js';
import { hashToken, newSessionToken } from '../../infra/crypto.js';
import { DomainError, forbidden, unauthorized } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Db } from '../../storage/db.js';
import type { InviteRow } from '../invites/invites.repo.js';
import type { InvitesService } from '../invites/invites.service.js';
import {
  countUsers,
  findLiveSession,
  findUserById,
  findUserByUsername,
  insertSession,
  insertUser,
  lockBootstrap,
  revokeSession,
  type UserRow,
} from './accounts.repo.js';
import type { AuthThrottle } from './auth-throttle.js';
import { burnVerify, hashPassword, verifyPassword } from './password.js';
import { toUser } from './user-dto.js';

export interface AuthContext {
  userId: string;
  sessionId: string;
  user: UserRow;
}

export interface AccountsDeps {
  db: Db;
  ids: IdGenerator;
  invites: InvitesService;
  throttle: AuthThrottle;
  sessionTtlMs: number;
  now?: () => Date;
}

/** Runs inside the signup transaction when the code was a server invite (joins that server). */
export type InviteRedeemedHook = (tx: Db, invite: InviteRow, userId: bigint) => Promise<BusMessage[]>;

export interface AuthResult extends AuthResponse {
  sessionId: string;
  events: BusMessage[];
}

export class AccountsService {
  private readonly now: () => Date;
  private readonly redeemHooks: InviteRedeemedHook[] = [];
  private readonly signedUpListeners: Array<(user: User) => void> = [];

  constructor(private readonly deps: AccountsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  onInviteRedeemed(hook: InviteRedeemedHook): void {
    this.redeemHooks.push(hook);
  }

  /** Told after a signup has committed (the welcome mail listens). */
  onSignedUp(listener: (user: User) => void): void {
    this.signedUpListeners.push(listener);
  }

  async signup(body: SignupBody, address: string): Promise<AuthResult> {
    const { db, ids, invites, throttle } = this.deps;
    await throttle.assertSignupAllowed(address);
    const passwordHash = await hashPassword(body.password);
    const now = this.now();
    const userId = ids.next();
    try {
      const result = await db.transaction(async (tx) => {
        const hasCode = body.inviteCode !== undefined;
        if (!hasCode) {
          await lockBootstrap(tx);
          if ((await countUsers(tx)) > 0) {
            throw new DomainError(
              'forbidden',
              'An invite code is needed to sign up. Ask someone on this server for one.',
              {
                reason: 'invite_required',
              },
            );
          }
        }
        const user = await insertUser(tx, {
          id: userId,
          username: body.username,
          passwordHash,
          email: body.email ?? null,
          isAdmin: !hasCode,
          createdAt: now,
        });
        if (!user) throw new DomainError('conflict', 'That username is taken.', { field: 'username' });
        const invite =
          body.inviteCode === undefined ? undefined : await invites.redeem(tx, body.inviteCode, userId, now);
        const events: BusMessage[] = [];
        if (invite) for (const hook of this.redeemHooks) events.push(...(await hook(tx, invite, userId)));
        const session = await this.openSession(tx, user.id, now);
        return { ...session, user: toUser(user), events };
      });
      for (const listener of this.signedUpListeners) listener(result.user);
      return result;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'forbidden') await throttle.signupFailed(address);
      throw err;
    }
  }

  async login(body: LoginBody, address: string): Promise<AuthResult> {
    const { db, throttle } = this.deps;
    await throttle.assertLoginAllowed(body.username, address);
    const user = await findUserByUsername(db, body.username);
    let ok = false;
    if (user) ok = await verifyPassword(user.passwordHash, body.password);
    else await burnVerify(body.password);
    if (!user || !ok) {
      await throttle.loginFailed(body.username, address);
      throw unauthorized('Wrong username or password.');
    }
    await throttle.loginSucceeded(body.username);
    const session = await this.openSession(db, user.id, this.now());
    return { ...session, user: toUser(user), events: [] };
  }

  /** Revokes the session everywhere: REST stops accepting it and its sockets close with 4009. */
  async logout(auth: Pick<AuthContext, 'sessionId'>): Promise<BusMessage[]> {
    await revokeSession(this.deps.db, BigInt(auth.sessionId), this.now());
    return [
      {
        kind: 'close_sessions',
        sessionIds: [auth.sessionId],
        code: CLOSE_CODES.sessionRevoked,
        reason: 'logged out',
      },
    ];
  }

  async authenticate(token: string): Promise<AuthContext | undefined> {
    if (token.length === 0 || token.length > 256) return undefined;
    const found = await findLiveSession(this.deps.db, hashToken(token), this.now());
    if (!found) return undefined;
    return { userId: found.user.id.toString(), sessionId: found.sessionId.toString(), user: found.user };
  }

  async me(userId: string): Promise<User> {
    const user = await findUserById(this.deps.db, BigInt(userId));
    if (!user) throw forbidden('This account no longer exists.');
    return toUser(user);
  }

  private async openSession(
    db: Db,
    userId: bigint,
    now: Date,
  ): Promise<{ token: string; sessionId: string }> {
    const token = newSessionToken();
    const sessionId = this.deps.ids.next();
    await insertSession(db, {
      id: sessionId,
      userId,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.sessionTtlMs),
    });
    return { token, sessionId: sessionId.toString() };
  }
}
