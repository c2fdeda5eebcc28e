import type { Redis } from 'ioredis';
import { Instances } from './bus/instances.js';
import { RedisPresenceRegistry } from './features/presence/presence-registry-redis.js';
import { RedisTypingThrottle } from './features/typing/typing-throttle.js';
import { RedisCallRegistry } from './features/voice/call-registry-redis.js';
import { RedisVoiceRegistry } from './features/voice/voice-registry-redis.js';
import { RedisSessionDirectory } from './gateway/session-directory-redis.js';
import type { Logger } from './infra/logger.js';
import type { Clock } from './kernel/clock.js';
import type { EventPublisher } from './kernel/events.js';

/**
 * What several instances share beside the bus (docs/ARCHITECTURE.md, "State shared across
 * instances"): heartbeats, the gateway session directory, presence holds, the typing throttle,
 * voice channel memberships and calls.
 * Without Redis there is none of it, and each part keeps to memory.
 */
export function clusterState(deps: {
  redis: Redis;
  bus: EventPublisher;
  prefix: string;
  instanceId: string;
  clock: Clock;
  log: Logger;
  heartbeatMs?: number;
}) {
  const { redis, bus, prefix, instanceId, clock, log } = deps;
  const instances = new Instances({
    redis,
    prefix,
    instanceId,
    clock,
    log,
    ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
  });
  return {
    instances,
    directory: new RedisSessionDirectory({
      redis,
      bus,
      prefix,
      instanceId,
      isLive: (id) => instances.isLive(id),
      log,
    }),
    presence: new RedisPresenceRegistry({ redis, prefix, instanceId, instancesKey: instances.key }),
    typing: new RedisTypingThrottle(redis, prefix),
    voice: {
      voice: new RedisVoiceRegistry({ redis, prefix, instanceId, instancesKey: instances.key }),
      calls: new RedisCallRegistry({ redis, prefix, instanceId, instancesKey: instances.key }),
    },
  };
}
