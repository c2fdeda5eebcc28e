import type { Redis } from 'ioredis';
import type { PresenceChange, PresenceRegistry } from './presence-registry.js';

/** Holds are kept a day past their last change at most (a crashed Redis client's leftovers). */
const KEY_TTL_MS = 24 * 60 * 60_000;

// Each script runs atomically in Redis: two instances changing one user's presence at once see
// each other's hold, so exactly one of them announces the change.
// A change also moves the user's version (KEYS[3]): an announcement whose version is no longer
// the latest when it is about to go out is dropped, so two instances' announcements of quick
// successive changes (a reload landing on another instance) cannot end in the wrong order.
const UP = `
local had = redis.call('HLEN', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if had > 0 then return 0 end
local version = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return version`;

const DOWN = `
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
if removed == 0 or redis.call('HLEN', KEYS[1]) > 0 then return 0 end
return redis.call('INCR', KEYS[3])`;

// The instance is taken off the set in the same script that ends its holds: whichever instance
// runs it first reaps, the others find nothing.
const REAP = `
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local offline = {}
for _, instance in ipairs(dead) do
  redis.call('ZREM', KEYS[1], instance)
  local held = ARGV[2] .. 'presence:instance:' .. instance
  for _, user in ipairs(redis.call('SMEMBERS', held)) do
    local holds = ARGV[2] .. 'presence:user:' .. user
    if redis.call('HDEL', holds, instance) == 1 and redis.call('HLEN', holds) == 0 then
      table.insert(offline, user)
      table.insert(offline, redis.call('INCR', ARGV[2] .. 'presence:version:' .. user))
    end
  end
  redis.call('DEL', held)
end
return offline`;

/**
 * Presence in Redis: per user a hash of the instances holding them online (`…presence:user:<id>`,
 * instance → sockets open there; a field stays through the grace after the last drop), per
 * instance the set of users it holds (`…presence:instance:<id>`), so that when an instance stops
 * beating (`Instances`), another ends its holds.
 */
export class RedisPresenceRegistry implements PresenceRegistry {
  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      instanceId: string;
      /** The sorted set of instances' heartbeats (`Instances.key`). */
      instancesKey: string;
    },
  ) {}

  private userKey(userId: bigint | string): string {
    return `${this.deps.prefix}presence:user:${userId}`;
  }

  private versionKey(userId: bigint): string {
    return `${this.deps.prefix}presence:version:${userId}`;
  }

  private get heldKey(): string {
    return `${this.deps.prefix}presence:instance:${this.deps.instanceId}`;
  }

  async up(userId: bigint, sockets: number): Promise<PresenceChange | undefined> {
    const { redis, instanceId } = this.deps;
    const keys = [this.userKey(userId), this.heldKey, this.versionKey(userId)];
    const args = [instanceId, userId.toString(), String(sockets), String(KEY_TTL_MS)];
    return change(await redis.eval(UP, 3, ...keys, ...args));
  }

  async down(userId: bigint): Promise<PresenceChange | undefined> {
    const { redis, instanceId } = this.deps;
    const keys = [this.userKey(userId), this.heldKey, this.versionKey(userId)];
    return change(await redis.eval(DOWN, 3, ...keys, instanceId, userId.toString()));
  }

  async held(): Promise<bigint[]> {
    return (await this.deps.redis.smembers(this.heldKey)).map((id) => BigInt(id));
  }

  async isLatest(userId: bigint, { version }: PresenceChange): Promise<boolean> {
    return Number(await this.deps.redis.get(this.versionKey(userId))) === version;
  }

  async onlineAmong(userIds: readonly bigint[]): Promise<Set<bigint>> {
    if (userIds.length === 0) return new Set();
    const batch = this.deps.redis.pipeline();
    for (const id of userIds) batch.hlen(this.userKey(id));
    const answers = (await batch.exec()) ?? [];
    const online = new Set<bigint>();
    answers.forEach(([err, count], i) => {
      if (err) throw err;
      const id = userIds[i];
      if (id !== undefined && Number(count) > 0) online.add(id);
    });
    return online;
  }

  async reap(now: number, deadAfterMs: number): Promise<[bigint, PresenceChange][]> {
    const { redis, prefix, instancesKey } = this.deps;
    const flat = await redis.eval(REAP, 1, instancesKey, String(now - deadAfterMs), prefix);
    const out: [bigint, PresenceChange][] = [];
    if (!Array.isArray(flat)) return out;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out.push([BigInt(String(flat[i])), { version: Number(flat[i + 1]) }]);
    }
    return out;
  }
}

const change = (version: unknown): PresenceChange | undefined =>
  Number(version) > 0 ? { version: Number(version) } : undefined;
