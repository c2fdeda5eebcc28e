import { UserRefSchema } from '@decentra/protocol';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { CallRegistry, FinishIf, NewCall, StoredCall } from './call-registry.js';

// Keys (after the prefix): `call:<id>` a hash (id, caller, callee, cs/ci the caller's session and
// instance, es/ei the callee's once answered, st ringing|active, at answered at, data: the
// caller's name and avatar, the callee's ref, the DM, as JSON); `call:user:<id>` the call of each
// end (the `busy` check); `call:instance:<id>` the calls with an end on that instance, and
// `call:instances` the instances that had calls, for the reaper. Each change is one script.
const PRELUDE = `
local p = ARGV[1]
local function drop(id)
  local key = p .. 'call:' .. id
  local f = redis.call('HMGET', key, 'caller', 'callee', 'ci', 'ei')
  if not f[1] then return false end
  local all = redis.call('HGETALL', key)
  redis.call('DEL', key)
  for i = 1, 2 do
    local mine = p .. 'call:user:' .. f[i]
    if redis.call('GET', mine) == id then redis.call('DEL', mine) end
  end
  redis.call('SREM', p .. 'call:instance:' .. f[3], id)
  if f[4] then redis.call('SREM', p .. 'call:instance:' .. f[4], id) end
  return all
end
`;

// ARGV: prefix, id, caller, callee, caller's session, caller's instance, data. Busy and the call in one step.
const START = `${PRELUDE}
if redis.call('EXISTS', p .. 'call:user:' .. ARGV[3]) == 1 then return 'caller_busy' end
if redis.call('EXISTS', p .. 'call:user:' .. ARGV[4]) == 1 then return 'callee_busy' end
redis.call('HSET', p .. 'call:' .. ARGV[2], 'id', ARGV[2], 'caller', ARGV[3], 'callee', ARGV[4],
  'cs', ARGV[5], 'ci', ARGV[6], 'st', 'ringing', 'data', ARGV[7])
redis.call('SET', p .. 'call:user:' .. ARGV[3], ARGV[2])
redis.call('SET', p .. 'call:user:' .. ARGV[4], ARGV[2])
redis.call('SADD', p .. 'call:instance:' .. ARGV[6], ARGV[2])
redis.call('SADD', p .. 'call:instances', ARGV[6])
return 'ok'`;

// ARGV: prefix, id, callee, callee's session, callee's instance, answered at.
const ACCEPT = `${PRELUDE}
local key = p .. 'call:' .. ARGV[2]
local f = redis.call('HMGET', key, 'callee', 'st')
if f[1] ~= ARGV[3] or f[2] ~= 'ringing' then return false end
redis.call('HSET', key, 'st', 'active', 'es', ARGV[4], 'ei', ARGV[5], 'at', ARGV[6])
redis.call('SADD', p .. 'call:instance:' .. ARGV[5], ARGV[2])
redis.call('SADD', p .. 'call:instances', ARGV[5])
return redis.call('HGETALL', key)`;

// ARGV: prefix, id, 'any' | 'ringing', and for a decline the callee.
const FINISH = `${PRELUDE}
local f = redis.call('HMGET', p .. 'call:' .. ARGV[2], 'callee', 'st')
if not f[2] then return false end
if ARGV[3] == 'ringing' and f[2] ~= 'ringing' then return false end
if ARGV[4] and f[1] ~= ARGV[4] then return false end
return drop(ARGV[2])`;

// ARGV: prefix, user.
const OF_USER = `
local id = redis.call('GET', ARGV[1] .. 'call:user:' .. ARGV[2])
if not id then return false end
return redis.call('HGETALL', ARGV[1] .. 'call:' .. id)`;

// ARGV: prefix, instance, session.
const END_SESSION = `${PRELUDE}
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', p .. 'call:instance:' .. ARGV[2])) do
  local f = redis.call('HMGET', p .. 'call:' .. id, 'ci', 'cs', 'ei', 'es')
  if (f[1] == ARGV[2] and f[2] == ARGV[3]) or (f[3] == ARGV[2] and f[4] == ARGV[3]) then
    local all = drop(id)
    if all then table.insert(out, all) end
  end
end
return out`;

// KEYS[1]: the instances' heartbeats. ARGV: prefix, the time before which a last beat is dead.
const REAP = `${PRELUDE}
local out = {}
for _, instance in ipairs(redis.call('SMEMBERS', p .. 'call:instances')) do
  local beat = redis.call('ZSCORE', KEYS[1], instance)
  if (not beat) or tonumber(beat) < tonumber(ARGV[2]) then
    for _, id in ipairs(redis.call('SMEMBERS', p .. 'call:instance:' .. instance)) do
      local all = drop(id)
      if all then table.insert(out, all) end
    end
    redis.call('DEL', p .. 'call:instance:' .. instance)
    redis.call('SREM', p .. 'call:instances', instance)
  end
end
return out`;

/** What `data` holds: the parts of a call no script looks at. */
const DataSchema = z.object({
  callerName: z.string(),
  callerAvatar: z.string().nullable().optional(),
  calleeRef: UserRefSchema,
  channelId: z.string(),
});

/** Calls in Redis, shared by every instance on it (see the keys above). */
export class RedisCallRegistry implements CallRegistry {
  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      instanceId: string;
      /** The sorted set of instances' heartbeats (`Instances.key`). */
      instancesKey: string;
    },
  ) {}

  async start(call: NewCall): Promise<'ok' | 'caller_busy' | 'callee_busy'> {
    const data: z.infer<typeof DataSchema> = {
      callerName: call.caller.username,
      callerAvatar: call.caller.avatarHash ?? null,
      calleeRef: call.calleeRef,
      channelId: call.channelId.toString(),
    };
    const args = [call.id, call.caller.id, call.callee, call.callerSession, this.deps.instanceId].map(String);
    const answer = await this.eval(START, [...args, JSON.stringify(data)]);
    return answer === 'caller_busy' || answer === 'callee_busy' ? answer : 'ok';
  }

  async accept(callId: string, userId: bigint, sessionId: string, at: number) {
    return toCall(
      await this.eval(ACCEPT, [callId, String(userId), sessionId, this.deps.instanceId, String(at)]),
    );
  }

  async finish(callId: string, only: FinishIf): Promise<StoredCall | undefined> {
    const args = [callId, only.state, ...('callee' in only ? [String(only.callee)] : [])];
    return toCall(await this.eval(FINISH, args));
  }

  async get(callId: string): Promise<StoredCall | undefined> {
    return toCall(await this.deps.redis.hgetall(`${this.deps.prefix}call:${callId}`));
  }

  async of(userId: bigint): Promise<StoredCall | undefined> {
    return toCall(await this.eval(OF_USER, [String(userId)]));
  }

  async endSession(sessionId: string): Promise<StoredCall[]> {
    return toCalls(await this.eval(END_SESSION, [this.deps.instanceId, sessionId]));
  }

  async reap(now: number, deadAfterMs: number): Promise<StoredCall[]> {
    const { redis, prefix, instancesKey } = this.deps;
    return toCalls(await redis.eval(REAP, 1, instancesKey, prefix, String(now - deadAfterMs)));
  }

  private eval(script: string, args: string[]): Promise<unknown> {
    return this.deps.redis.eval(script, 0, this.deps.prefix, ...args);
  }
}

function toCalls(answer: unknown): StoredCall[] {
  if (!Array.isArray(answer)) return [];
  return answer.map(toCall).filter((c): c is StoredCall => c !== undefined);
}

/** A call from its hash: HGETALL's flat field/value list (a script's answer) or ioredis's object. */
function toCall(answer: unknown): StoredCall | undefined {
  let f: Record<string, string>;
  if (Array.isArray(answer)) {
    f = {};
    for (let i = 0; i + 1 < answer.length; i += 2) f[String(answer[i])] = String(answer[i + 1]);
  } else if (typeof answer === 'object' && answer !== null) {
    f = Object.fromEntries(Object.entries(answer).map(([k, v]) => [k, String(v)]));
  } else {
    return undefined;
  }
  const { id, caller, callee, cs, ci, es, ei, st, at, data } = f;
  if (!id || !caller || !callee || !cs || !ci || !data) return undefined;
  const d = DataSchema.parse(JSON.parse(data));
  return {
    id,
    caller: { id: BigInt(caller), username: d.callerName, avatarHash: d.callerAvatar ?? null },
    callerSession: cs,
    callerInstance: ci,
    callee: BigInt(callee),
    calleeRef: d.calleeRef,
    calleeSession: es,
    calleeInstance: ei,
    channelId: BigInt(d.channelId),
    state: st === 'active' ? 'active' : 'ringing',
    answeredAt: at === undefined ? undefined : Number(at),
  };
}
