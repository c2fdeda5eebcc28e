import {
  type AuthResponse,
  CLOSE_CODES,
  type LoginBody,
  type RegistrationMode,
  type SignupBody,
  type User,
  usernameKey,
} from '@decentra/protocol';
import { hashToken, newSessionToken } from '../../infra/crypto.js';
import { DomainError, forbidden, unauthorized } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import { type AuthContext, authContext } from '../../kernel/actor.js';
import type { Commands } from '../../kernel/commands.js';
import { type BusMessage, closeSessions, sessionRevoked } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import { ReadBatch } from '../../kernel/read-batch.js';
import { type Db, readBatching } from '../../storage/db.js';
import type { InviteRow, UserRow } from '../../storage/rows.js';
import type { InvitesService } from '../invites/invites.service.js';
import {
  countUsers,
  findLiveSessions,
  findUserById,
  findUserByKey,
  insertSession,
  insertUser,
  type LiveSession,
  lockBootstrap,
  revokeSession,
} from './accounts.repo.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { KnownDevices } from './known-device.js';
import { type Passwords, TimingEqualiser } from './password.js';
import { SessionActivity } from './session-activity.js';
import type { SessionCache } from './session-cache.js';
import { toUser } from './user-dto.js';

export interface AccountsDeps {
  db: Db;
  commands: Commands;
  ids: IdGenerator;
  invites: InvitesService;
  throttle: AuthThrottle;
  passwords: Passwords;
  knownDevices: KnownDevices;
  sessionTtlMs: number;
  /** Live sessions by token, forgotten through the bus (the app subscribes it). */
  sessionCache: SessionCache;
  now?: () => Date;
}

/** Runs inside the signup transaction when the code was a server invite (joins that server). */
export type InviteRedeemedHook = (tx: Db, invite: InviteRow, user: UserRow) => Promise<BusMessage[]>;

/** The instance's registration mode, read inside the signup's transaction (the admin's settings). */
export type RegistrationModeReader = (tx: Db) => Promise<RegistrationMode>;

/** A new login session: the token for the client, its id for the cookie's lifetime and logout. */
export interface AuthResult extends AuthResponse {
  sessionId: bigint;
  /** A fresh known-device cookie for the browser that signed in (see known-device.ts). */
  knownDevice: string;
}

/** Who is signing in, as the transport sees them. */
export interface SignInClient {
  /** The client's address, through the trusted proxies only. */
  address: string;
  /** The known-device cookie the client sent, if any. */
  knownDevice?: string | undefined;
  /** The User-Agent header, shown (parsed) in the account's list of sessions. */
  userAgent?: string | undefined;
}

/** What of a user agent is kept: enough for any real browser, bounded for a hostile one. */
const MAX_USER_AGENT = 512;

/**
 * Accounts and login sessions. Signup and login have steps outside any transaction (the throttle,
 * argon2), so this service is handed the command runner and opens the transaction through it.
 */
export class AccountsService {
  private readonly now: () => Date;
  private readonly redeemHooks: InviteRedeemedHook[] = [];
  private readonly signedUpListeners: Array<(user: User) => void> = [];
  private readonly equaliser: TimingEqualiser;
  private readonly activity: SessionActivity;
  /** The token lookups of one turn (a reconnect storm's identifies, keyed by hash in hex): one query. */
  private readonly liveSessions: ReadBatch<string, LiveSession | undefined>;
  private registrationMode: RegistrationModeReader = async () => 'invite';

  constructor(private readonly deps: AccountsDeps) {
    this.now = deps.now ?? (() => new Date());
    this.equaliser = new TimingEqualiser(deps.passwords);
    this.activity = new SessionActivity(deps.db, this.now);
    this.liveSessions = new ReadBatch(
      (hashes) => findLiveSessions(deps.db, hashes, this.now()),
      () => undefined,
      readBatching(deps.db),
    );
  }

  onInviteRedeemed(hook: InviteRedeemedHook): void {
    this.redeemHooks.push(hook);
  }

  readRegistrationModeWith(reader: RegistrationModeReader): void {
    this.registrationMode = reader;
  }

  /** Told after a signup has committed (the welcome mail listens). */
  onSignedUp(listener: (user: User) => void): void {
    this.signedUpListeners.push(listener);
  }

  /**
   * The attempt's place is reserved under the signup limits before the password is hashed (the
   * expensive part); an unusable code counts as a failure, an account made as a signup.
   */
  async signup(body: SignupBody, client: SignInClient): Promise<AuthResult> {
    const { throttle, commands, passwords } = this.deps;
    const reservation = await throttle.reserveSignup(client.address);
    let result: AuthResult;
    try {
      const passwordHash = await passwords.hash(body.password);
      result = await commands.transaction((tx) => this.createAccount(tx, body, passwordHash, client));
    } catch (err) {
      await reservation.end(err instanceof DomainError && err.code === 'forbidden' ? 'failure' : 'aborted');
      throw err;
    }
    await reservation.end('success');
    for (const listener of this.signedUpListeners) listener(result.user);
    return result;
  }

  /**
   * The name is resolved first (one indexed read), so that the throttle counts the account itself
   * however its name was typed, and a known-device cookie can be matched to it. Then the attempt's
   * place is reserved, and only then is a password checked: at most as many checks as the limits.
   */
  async login(body: LoginBody, client: SignInClient): Promise<AuthResult> {
    const { db, throttle, commands, passwords, knownDevices } = this.deps;
    const key = usernameKey(body.username);
    const user = await findUserByKey(db, key);
    const device = user ? knownDevices.read(client.knownDevice, user.id) : undefined;
    const reservation = await throttle.reserveLogin({
      account: user ? `user:${user.id}` : `name:${key}`,
      address: client.address,
      device: device?.id,
    });
    let ok = false;
    try {
      if (user) ok = await passwords.verify(user.passwordHash, body.password);
      else await this.equaliser.burn(body.password);
    } catch (err) {
      await reservation.end('aborted');
      throw err;
    }
    if (!user || !ok) {
      await reservation.end('failure');
      throw unauthorized('Wrong username or password.');
    }
    await reservation.end('success');
    // Only once the password is right, so the refusal tells nothing to someone guessing it.
    if (user.disabledAt !== null) {
      throw forbidden('This account has been disabled by an admin.', { reason: 'account_disabled' });
    }
    return commands.transaction(async (tx) => outcome(await this.openSession(tx, user, client)));
  }

  /** Revokes the session everywhere: REST stops accepting it and its sockets close with 4009. */
  async logout(tx: Db, auth: AuthContext): Promise<Outcome<void>> {
    await revokeSession(tx, auth.sessionId, this.now());
    return outcome(undefined, [
      closeSessions([auth.sessionId], CLOSE_CODES.sessionRevoked, 'logged out'),
      sessionRevoked({ sessionIds: [auth.sessionId] }),
    ]);
  }

  /** A hit in the session cache costs no query; last activity is kept either way. */
  readonly authenticate = async (token: string): Promise<AuthContext | undefined> => {
    if (token.length === 0 || token.length > 256) return undefined;
    const { sessionCache } = this.deps;
    const tokenHash = hashToken(token);
    let found = sessionCache.get(tokenHash);
    if (!found) {
      const generation = sessionCache.generation;
      found = await this.liveSessions.load(tokenHash.toString('hex'));
      if (!found) return undefined;
      sessionCache.remember(tokenHash, found, generation);
    }
    await this.activity.used(found.sessionId);
    return authContext(found.user, found.sessionId);
  };

  async me(userId: bigint): Promise<User> {
    const user = await findUserById(this.deps.db, userId);
    if (!user) throw forbidden('This account no longer exists.');
    return toUser(user);
  }

  private async createAccount(
    tx: Db,
    body: SignupBody,
    passwordHash: string,
    client: SignInClient,
  ): Promise<Outcome<AuthResult>> {
    const { ids, invites } = this.deps;
    const now = this.now();
    const hasCode = body.inviteCode !== undefined;
    const mode = await this.registrationMode(tx);
    // The very first account (it becomes the admin) needs no code and is let in whatever the mode.
    let first = false;
    if (!hasCode || mode === 'closed') {
      await lockBootstrap(tx);
      first = (await countUsers(tx)) === 0;
    }
    if (!first && mode === 'closed') {
      throw forbidden('Registration is closed on this server.', { reason: 'registration_closed' });
    }
    if (!first && !hasCode && mode === 'invite') {
      throw forbidden('An invite code is needed to sign up. Ask someone on this server for one.', {
        reason: 'invite_required',
      });
    }
    const user = await insertUser(tx, {
      id: ids.next(),
      username: body.username,
      passwordHash,
      email: body.email ?? null,
      isAdmin: first,
      createdAt: now,
    });
    if (!user) throw new DomainError('conflict', 'That username is taken.', { field: 'username' });
    const events: BusMessage[] = [];
    let joinedServerId: string | undefined;
    if (body.inviteCode !== undefined) {
      const invite = await invites.redeem(tx, body.inviteCode, user.id, now);
      for (const hook of this.redeemHooks) events.push(...(await hook(tx, invite, user)));
      joinedServerId = invite.serverId?.toString();
    }
    const session = await this.openSession(tx, user, client);
    return outcome(joinedServerId ? { ...session, joinedServerId } : session, events);
  }

  private async openSession(db: Db, user: UserRow, client: SignInClient): Promise<AuthResult> {
    const token = newSessionToken();
    const sessionId = this.deps.ids.next();
    const now = this.now();
    await insertSession(db, {
      id: sessionId,
      userId: user.id,
      tokenHash: hashToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.sessionTtlMs),
      userAgent: (client.userAgent ?? '').slice(0, MAX_USER_AGENT),
      address: client.address,
      lastActiveAt: now,
    });
    this.activity.opened(sessionId, now);
    return { token, sessionId, user: toUser(user), knownDevice: this.deps.knownDevices.issue(user.id) };
  }
}
