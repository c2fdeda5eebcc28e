import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';
import type { EventPublisher, SessionClaimMessage, SessionReleaseMessage } from '../kernel/events.js';
import type { ReplayEntry, SessionDirectory, SessionRecord } from './session-directory.js';

/** How long a handed-over replay waits for its claimant (who reads it within milliseconds). */
const REPLAY_TTL_MS = 60_000;

export interface RedisSessionDirectoryDeps {
  redis: Redis;
  bus: EventPublisher;
  /** Keys start with it (tests give each file its own). */
  prefix: string;
  instanceId: string;
  isLive: (instanceId: string) => Promise<boolean>;
  log: Logger;
}

/**
 * The session directory in Redis: one hash per session (`…gw:session:<id>` = user, login
 * session, holder) with a time to live, and one short-lived stream per handover holding the
 * replay (entry id = the event's seq). Events are not copied to Redis as they happen: the holder
 * keeps them in memory and writes only what a claimant asks for, once (see session-handover.ts).
 */
export class RedisSessionDirectory implements SessionDirectory {
  readonly shared = true;
  readonly instanceId: string;

  constructor(private readonly deps: RedisSessionDirectoryDeps) {
    this.instanceId = deps.instanceId;
  }

  private sessionKey(sessionId: string): string {
    return `${this.deps.prefix}gw:session:${sessionId}`;
  }

  private replayKey(claimId: string): string {
    return `${this.deps.prefix}gw:replay:${claimId}`;
  }

  record(sessionId: string, record: SessionRecord, ttlMs: number): void {
    const key = this.sessionKey(sessionId);
    this.deps.redis
      .multi()
      .hset(key, 'u', record.userId, 'a', record.authSessionId, 'o', record.owner)
      .pexpire(key, ttlMs)
      .exec()
      .catch((err: unknown) => this.deps.log.warn({ err }, 'session directory: record failed'));
  }

  async forget(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.deps.redis.del(...sessionIds.map((id) => this.sessionKey(id)));
  }

  async lookup(sessionId: string): Promise<SessionRecord | undefined> {
    const [userId, authSessionId, owner] = await this.deps.redis.hmget(
      this.sessionKey(sessionId),
      'u',
      'a',
      'o',
    );
    if (!userId || !authSessionId || !owner) return undefined;
    return { userId, authSessionId, owner };
  }

  isLive(instanceId: string): Promise<boolean> {
    return this.deps.isLive(instanceId);
  }

  publish(message: SessionClaimMessage | SessionReleaseMessage): Promise<void> {
    return this.deps.bus.publish([message]);
  }

  async writeReplay(claimId: string, entries: readonly ReplayEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const key = this.replayKey(claimId);
    const batch = this.deps.redis.multi();
    for (const [seq, encoded] of entries) batch.xadd(key, `${seq}-0`, 'e', encoded);
    batch.pexpire(key, REPLAY_TTL_MS);
    await batch.exec();
  }

  async takeReplay(claimId: string): Promise<ReplayEntry[]> {
    const key = this.replayKey(claimId);
    const result = await this.deps.redis.multi().xrange(key, '-', '+').del(key).exec();
    const [err, rows] = result?.[0] ?? [new Error('no answer'), undefined];
    if (err) throw err;
    const entries: ReplayEntry[] = [];
    for (const [id, fields] of rows as [string, string[]][]) {
      entries.push([Number(id.split('-')[0]), fields[1] ?? '']);
    }
    return entries;
  }
}
