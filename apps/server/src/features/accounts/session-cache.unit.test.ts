import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/manual-clock.js';
import { dispatch, sessionRevoked, toUsers } from '../../kernel/events.js';
import type { UserRow } from '../../storage/rows.js';
import { type CachedSession, SessionCache } from './session-cache.js';
import { toUser } from './user-dto.js';

const user = (id: bigint): UserRow => ({
  id,
  username: `user${id}`,
  usernameKey: `user${id}`,
  passwordHash: 'x',
  email: null,
  pendingEmail: null,
  isAdmin: false,
  createdAt: new Date(0),
  disabledAt: null,
  deletedAt: null,
  avatarHash: null,
});

const token = (n: number) => Buffer.from(`token-${n}`);

function setup(options = { maxEntries: 100, ttlMs: 60_000 }) {
  const clock = new ManualClock();
  const cache = new SessionCache(clock, options);
  const session = (sessionId: bigint, userId: bigint, lifeMs = 3_600_000): CachedSession => ({
    sessionId,
    user: user(userId),
    expiresAt: new Date(clock.now() + lifeMs),
  });
  const fill = (n: number, entry: CachedSession) => cache.remember(token(n), entry, cache.generation);
  return { clock, cache, session, fill };
}

describe('SessionCache', () => {
  it('answers what it was told until its TTL, then asks again', () => {
    const { clock, cache, session, fill } = setup();
    fill(1, session(10n, 1n));
    expect(cache.get(token(1))?.sessionId).toBe(10n);
    clock.advance(60_000);
    expect(cache.get(token(1))?.sessionId).toBe(10n);
    clock.advance(1);
    expect(cache.get(token(1))).toBeUndefined();
  });

  it('never answers a session past its own expiry, even within the TTL', () => {
    const { clock, cache, session, fill } = setup();
    fill(1, session(10n, 1n, 5_000));
    clock.advance(4_999);
    expect(cache.get(token(1))).toBeDefined();
    clock.advance(1);
    expect(cache.get(token(1))).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const { cache, session, fill } = setup({ maxEntries: 2, ttlMs: 60_000 });
    fill(1, session(10n, 1n));
    fill(2, session(20n, 2n));
    cache.get(token(1));
    fill(3, session(30n, 3n));
    expect(cache.size).toBe(2);
    expect(cache.get(token(2))).toBeUndefined();
    expect(cache.get(token(1))?.sessionId).toBe(10n);
    expect(cache.get(token(3))?.sessionId).toBe(30n);
  });

  it('forgets revoked sessions by id, and every session of a user whose row changed', () => {
    const { cache, session, fill } = setup();
    fill(1, session(10n, 1n));
    fill(2, session(11n, 1n));
    fill(3, session(20n, 2n));
    fill(4, session(30n, 3n));
    cache.onBusMessage(sessionRevoked({ sessionIds: [20n] }));
    expect(cache.get(token(3))).toBeUndefined();
    expect(cache.get(token(1))).toBeDefined();
    cache.onBusMessage(sessionRevoked({ userIds: [1n] }));
    expect(cache.get(token(1))).toBeUndefined();
    expect(cache.get(token(2))).toBeUndefined();
    expect(cache.get(token(4))?.sessionId).toBe(30n);
  });

  it('forgets a user on their user_update (the row in AuthContext changed)', () => {
    const { cache, session, fill } = setup();
    fill(1, session(10n, 1n));
    fill(2, session(20n, 2n));
    cache.onBusMessage(dispatch('user_update', toUser(user(1n)), toUsers(1n)));
    expect(cache.get(token(1))).toBeUndefined();
    expect(cache.get(token(2))).toBeDefined();
  });

  it('forgets everything on a bus gap (revocations may have been missed)', () => {
    const { cache, session, fill } = setup();
    fill(1, session(10n, 1n));
    cache.onBusMessage({ kind: 'gap' });
    expect(cache.size).toBe(0);
  });

  it('drops a lookup that raced a revocation: read before it, answered after it', () => {
    const { cache, session } = setup();
    const generation = cache.generation;
    // The lookup's query saw the session live; the revocation committed and was heard meanwhile.
    cache.onBusMessage(sessionRevoked({ sessionIds: [10n] }));
    cache.remember(token(1), session(10n, 1n), generation);
    expect(cache.get(token(1))).toBeUndefined();
    cache.remember(token(1), session(10n, 1n), cache.generation);
    expect(cache.get(token(1))).toBeDefined();
  });
});
