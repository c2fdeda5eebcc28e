import type { Redis } from 'ioredis';
import type { PresenceRegistry } from './presence-registry.js';

/** Holds are kept a day past their last change at most (a crashed Redis client's leftovers). */
const KEY_TTL_MS = 24 * 60 * 60_000;

// Each script runs atomically in Redis: two instances changing one user's presence at once see
// each other's hold, so exactly one of them announces the change.
const UP = `
local had = redis.call('HLEN', KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if had == 0 then return 1 end
return 0`;

const DOWN = `
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
if removed == 1 and redis.call('HLEN', KEYS[1]) == 0 then return 1 end
return 0`;

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

  private get heldKey(): string {
    return `${this.deps.prefix}presence:instance:${this.deps.instanceId}`;
  }

  async up(userId: bigint, sockets: number): Promise<boolean> {
    const { redis, instanceId } = this.deps;
    const args = [instanceId, userId.toString(), String(sockets), String(KEY_TTL_MS)];
    return Number(await redis.eval(UP, 2, this.userKey(userId), this.heldKey, ...args)) === 1;
  }

  async down(userId: bigint): Promise<boolean> {
    const { redis, instanceId } = this.deps;
    const args = [instanceId, userId.toString()];
    return Number(await redis.eval(DOWN, 2, this.userKey(userId), this.heldKey, ...args)) === 1;
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

  async reap(now: number, deadAfterMs: number): Promise<bigint[]> {
    const { redis, prefix, instancesKey } = this.deps;
    const users = await redis.eval(REAP, 1, instancesKey, String(now - deadAfterMs), prefix);
    return Array.isArray(users) ? users.map((u) => BigInt(String(u))) : [];
  }
}
