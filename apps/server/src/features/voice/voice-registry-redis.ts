import type { Redis } from 'ioredis';
import type { Joining, JoinResult, VoiceMember, VoiceRegistry } from './voice-registry.js';

// Keys (after the prefix): `voice:member:<user>` a hash (c channel, s server, ss session,
// i instance, m muted, d deafened); sets of users per channel, server and holding instance
// (`voice:channel:<id>`, `voice:server:<id>`, `voice:instance:<id>`); `voice:instances` the
// instances that hold or held members, for the reaper. Every change is one script (atomic in
// Redis), and a removal answers what it removed: of two instances removing one member, one
// hears it. A member comes back as 7 flat values: user, then the hash's fields in that order.
const PRELUDE = `
local p = ARGV[1]
local function fields(user)
  return redis.call('HMGET', p .. 'voice:member:' .. user, 'c', 's', 'ss', 'i', 'm', 'd')
end
local function put(out, user, f)
  table.insert(out, user)
  for i = 1, 6 do table.insert(out, f[i]) end
end
local function take(user, out)
  local f = fields(user)
  if not f[1] then return false end
  redis.call('DEL', p .. 'voice:member:' .. user)
  redis.call('SREM', p .. 'voice:channel:' .. f[1], user)
  redis.call('SREM', p .. 'voice:server:' .. f[2], user)
  redis.call('SREM', p .. 'voice:instance:' .. f[4], user)
  put(out, user, f)
  return f
end
`;

// ARGV: prefix, user, channel, server, session, instance, limit. The count and the place in one step.
const JOIN = `${PRELUDE}
local user = ARGV[2]
local chan = p .. 'voice:channel:' .. ARGV[3]
local others = redis.call('SCARD', chan)
if redis.call('SISMEMBER', chan, user) == 1 then others = others - 1 end
if others >= tonumber(ARGV[7]) then return {'full'} end
local out = {'ok'}
take(user, out)
redis.call('HSET', p .. 'voice:member:' .. user, 'c', ARGV[3], 's', ARGV[4], 'ss', ARGV[5], 'i', ARGV[6], 'm', '0', 'd', '0')
redis.call('SADD', chan, user)
redis.call('SADD', p .. 'voice:server:' .. ARGV[4], user)
redis.call('SADD', p .. 'voice:instance:' .. ARGV[6], user)
redis.call('SADD', p .. 'voice:instances', ARGV[6])
return out`;

// ARGV: prefix, user, mode ('any' | 'session' | 'server'), then the session and instance, or the server.
const LEAVE = `${PRELUDE}
local f = fields(ARGV[2])
if not f[1] then return {} end
if ARGV[3] == 'session' and (f[3] ~= ARGV[4] or f[4] ~= ARGV[5]) then return {} end
if ARGV[3] == 'server' and f[2] ~= ARGV[4] then return {} end
local out = {}
take(ARGV[2], out)
return out`;

// ARGV: prefix, the set (after the prefix) whose members all leave.
const CLEAR = `${PRELUDE}
local out = {}
for _, user in ipairs(redis.call('SMEMBERS', p .. ARGV[2])) do take(user, out) end
return out`;

// ARGV: prefix, user, muted, deafened ('1' or '0').
const SET_STATE = `${PRELUDE}
local key = p .. 'voice:member:' .. ARGV[2]
if redis.call('EXISTS', key) == 0 then return {} end
redis.call('HSET', key, 'm', ARGV[3], 'd', ARGV[4])
local out = {}
put(out, ARGV[2], fields(ARGV[2]))
return out`;

// ARGV: prefix, then server ids.
const IN_SERVERS = `${PRELUDE}
local out = {}
for i = 2, #ARGV do
  for _, user in ipairs(redis.call('SMEMBERS', p .. 'voice:server:' .. ARGV[i])) do
    local f = fields(user)
    if f[1] then put(out, user, f) end
  end
end
return out`;

// KEYS[1]: the instances' heartbeats. ARGV: prefix, the time before which a last beat is dead.
// An instance gone from the heartbeats (the presence reaper took it off) is dead too.
const REAP = `${PRELUDE}
local out = {}
for _, instance in ipairs(redis.call('SMEMBERS', p .. 'voice:instances')) do
  local beat = redis.call('ZSCORE', KEYS[1], instance)
  if (not beat) or tonumber(beat) < tonumber(ARGV[2]) then
    for _, user in ipairs(redis.call('SMEMBERS', p .. 'voice:instance:' .. instance)) do
      if fields(user)[4] == instance then take(user, out) end
    end
    redis.call('DEL', p .. 'voice:instance:' .. instance)
    redis.call('SREM', p .. 'voice:instances', instance)
  end
end
return out`;

/** Voice membership in Redis, shared by every instance on it (see the keys above). */
export class RedisVoiceRegistry implements VoiceRegistry {
  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      instanceId: string;
      /** The sorted set of instances' heartbeats (`Instances.key`). */
      instancesKey: string;
    },
  ) {}

  async join(j: Joining, limit: number): Promise<JoinResult> {
    const { prefix, instanceId } = this.deps;
    const args = [prefix, j.userId, j.channelId, j.serverId, j.sessionId, instanceId, limit].map(String);
    const answer = await this.deps.redis.eval(JOIN, 0, ...args);
    if (!Array.isArray(answer) || answer[0] === 'full') return { full: true };
    return { full: false, left: parse(answer.slice(1))[0] };
  }

  async leave(userId: bigint, sessionId?: string): Promise<VoiceMember | undefined> {
    const mode = sessionId === undefined ? ['any'] : ['session', sessionId, this.deps.instanceId];
    return (await this.run(LEAVE, [String(userId), ...mode]))[0];
  }

  async leaveServerMember(serverId: bigint, userId: bigint): Promise<VoiceMember | undefined> {
    return (await this.run(LEAVE, [String(userId), 'server', String(serverId)]))[0];
  }

  clearChannel(channelId: bigint): Promise<VoiceMember[]> {
    return this.run(CLEAR, [`voice:channel:${channelId}`]);
  }

  clearServer(serverId: bigint): Promise<VoiceMember[]> {
    return this.run(CLEAR, [`voice:server:${serverId}`]);
  }

  async setState(userId: bigint, state: { muted: boolean; deafened: boolean }) {
    const flags = [state.muted, state.deafened].map((on) => (on ? '1' : '0'));
    return (await this.run(SET_STATE, [String(userId), ...flags]))[0];
  }

  async members(userIds: readonly bigint[]): Promise<Array<VoiceMember | undefined>> {
    const batch = this.deps.redis.pipeline();
    for (const id of userIds)
      batch.hmget(`${this.deps.prefix}voice:member:${id}`, 'c', 's', 'ss', 'i', 'm', 'd');
    const answers = (await batch.exec()) ?? [];
    return answers.map(([err, f], i) => {
      if (err) throw err;
      return Array.isArray(f) && f[0] ? parse([String(userIds[i]), ...f])[0] : undefined;
    });
  }

  inServers(serverIds: readonly bigint[]): Promise<VoiceMember[]> {
    if (serverIds.length === 0) return Promise.resolve([]);
    return this.run(IN_SERVERS, serverIds.map(String));
  }

  async reap(now: number, deadAfterMs: number): Promise<VoiceMember[]> {
    const { redis, prefix, instancesKey } = this.deps;
    return parse(await redis.eval(REAP, 1, instancesKey, prefix, String(now - deadAfterMs)));
  }

  private async run(script: string, args: string[]): Promise<VoiceMember[]> {
    return parse(await this.deps.redis.eval(script, 0, this.deps.prefix, ...args));
  }
}

function parse(flat: unknown): VoiceMember[] {
  if (!Array.isArray(flat)) return [];
  const out: VoiceMember[] = [];
  for (let i = 0; i + 6 < flat.length; i += 7) {
    const [user, c, s, ss, inst, m, d] = flat.slice(i, i + 7).map(String);
    out.push({
      userId: BigInt(user ?? ''),
      channelId: BigInt(c ?? ''),
      serverId: BigInt(s ?? ''),
      sessionId: ss ?? '',
      instanceId: inst ?? '',
      muted: m === '1',
      deafened: d === '1',
    });
  }
  return out;
}
