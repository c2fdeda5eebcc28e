import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const HEX_KEY = 'ab'.repeat(32);

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('runs with nothing set: embedded database, self-signed TLS on 8765, ./data', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8765);
    expect(c.dataDir).toBe('./data');
    expect(c.database).toEqual({ kind: 'pglite' });
    expect(c.tls).toEqual({ mode: 'self-signed' });
    expect(c.encryptionKey).toBeUndefined();
    expect(c.sessionTtlMs).toBe(30 * 86_400_000);
  });

  it('switches to PostgreSQL with a pool when DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgresql://u@h:5432/db', DATABASE_POOL_SIZE: '4' });
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgresql://u@h:5432/db', poolSize: 4 });
  });

  it('takes TLS off, or your own certificate files', () => {
    expect(loadConfig({ DECENTRA_TLS: 'off' }).tls).toEqual({ mode: 'off' });
    expect(loadConfig({ DECENTRA_TLS_CERT: '/c.pem', DECENTRA_TLS_KEY: '/k.pem' }).tls).toEqual({
      mode: 'files',
      certFile: '/c.pem',
      keyFile: '/k.pem',
    });
  });

  it('reads the encryption key as hex or base64', () => {
    expect(loadConfig({ DECENTRA_ENCRYPTION_KEY: HEX_KEY }).encryptionKey?.toString('hex')).toBe(HEX_KEY);
    const b64 = Buffer.from(HEX_KEY, 'hex').toString('base64');
    expect(loadConfig({ DECENTRA_ENCRYPTION_KEY: b64 }).encryptionKey?.toString('hex')).toBe(HEX_KEY);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8765);
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a port number from 0 to 65535 \(got "abc"\)$/],
    [{ PORT: '70000' }, /PORT must be a port number/],
    [{ DECENTRA_TLS: 'yes' }, /DECENTRA_TLS must be on or off/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgresql:\/\/ connection URL/],
    [{ DECENTRA_ENCRYPTION_KEY: 'short' }, /DECENTRA_ENCRYPTION_KEY must be 32 bytes/],
    [{ DECENTRA_TLS_CERT: '/c.pem' }, /DECENTRA_TLS_KEY must be set together/],
    [{ REDIS_URL: 'redis://localhost:6379' }, /REDIS_URL needs DATABASE_URL/],
    [{ NODE_ENV: 'production' }, /DECENTRA_ENCRYPTION_KEY is required when NODE_ENV=production/],
    [{ NODE_ENV: 'prod' }, /NODE_ENV must be development, production or test/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ DECENTRA_WORKER_ID: '2000' }, /DECENTRA_WORKER_ID must be an integer from 0 to 1023/],
    [{ DECENTRA_SESSION_DAYS: '0' }, /DECENTRA_SESSION_DAYS must be a whole number of days/],
    [
      { DATABASE_POOL_SIZE: 'many', DATABASE_URL: 'postgresql://h/d' },
      /DATABASE_POOL_SIZE must be an integer/,
    ],
    [{ DECENTRA_ICE_SERVERS: '{not json' }, /DECENTRA_ICE_SERVERS must be a JSON array/],
    [{ DECENTRA_ICE_SERVERS: '[{"url": 1}]' }, /DECENTRA_ICE_SERVERS/],
    [{ DECENTRA_VOICE_CHANNEL_LIMIT: '0' }, /DECENTRA_VOICE_CHANNEL_LIMIT must be a number of people from 1/],
    [{ DECENTRA_RING_TIMEOUT_SECONDS: 'soon' }, /DECENTRA_RING_TIMEOUT_SECONDS must be a whole number/],
    [{ DECENTRA_TURN_URLS: 'turn:t.example.org' }, /DECENTRA_TURN_SECRET must be set together/],
    [{ DECENTRA_TURN_SECRET: 'f'.repeat(32) }, /DECENTRA_TURN_URLS must be set together/],
    [
      { DECENTRA_TURN_URLS: 'stun:t.example.org', DECENTRA_TURN_SECRET: 'f'.repeat(32) },
      /DECENTRA_TURN_URLS must be comma-separated turn: or turns: URIs/,
    ],
    [
      { DECENTRA_TURN_URLS: 'turn:t.example.org', DECENTRA_TURN_SECRET: 'short' },
      /DECENTRA_TURN_SECRET must be at least 16 characters/,
    ],
    [
      { DECENTRA_TURN_TTL_SECONDS: '10' },
      /DECENTRA_TURN_TTL_SECONDS must be a whole number of seconds from 60/,
    ],
  ])('refuses %j with one line naming the variable', (env, message) => {
    const text = failure(env as Record<string, string>);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('never echoes a secret-bearing value back', () => {
    expect(failure({ DATABASE_URL: 'postgres://user:hunter2@' })).not.toContain('hunter2');
    expect(failure({ DECENTRA_ENCRYPTION_KEY: 'hunter2' })).not.toContain('hunter2');
    const turn = { DECENTRA_TURN_URLS: 'turn:t.example.org', DECENTRA_TURN_SECRET: 'hunter2' };
    expect(failure(turn)).not.toContain('hunter2');
  });

  it('keeps /metrics off unless a token or a listen address is set', () => {
    expect(loadConfig({}).metrics).toBeUndefined();
    const token = 'a-metrics-token-of-some-length';
    expect(loadConfig({ DECENTRA_METRICS_TOKEN: token }).metrics).toEqual({ token, listen: undefined });
    expect(loadConfig({ DECENTRA_METRICS_LISTEN: '127.0.0.1:9100' }).metrics).toEqual({
      token: undefined,
      listen: { host: '127.0.0.1', port: 9100 },
    });
    expect(loadConfig({ DECENTRA_METRICS_LISTEN: '[::1]:9100' }).metrics?.listen).toEqual({
      host: '::1',
      port: 9100,
    });
    for (const listen of ['9100', '127.0.0.1', '127.0.0.1:99999', 'a b:1', '::1:9100']) {
      expect(failure({ DECENTRA_METRICS_LISTEN: listen }), listen).toMatch(
        /DECENTRA_METRICS_LISTEN.*host:port/,
      );
    }
    expect(failure({ DECENTRA_METRICS_TOKEN: 'short' })).toMatch(/DECENTRA_METRICS_TOKEN.*16 characters/);
    expect(failure({ DECENTRA_METRICS_TOKEN: 'hunter2' })).not.toContain('hunter2');
  });

  it('reads STUN/TURN servers as JSON', () => {
    const ice =
      '[{"urls":"stun:stun.example.org:3478"},{"urls":["turn:t.example.org"],"username":"u","credential":"c"}]';
    expect(loadConfig({ DECENTRA_ICE_SERVERS: ice }).voice.iceServers).toEqual(JSON.parse(ice));
    expect(loadConfig({}).voice.iceServers).toEqual([]);
  });

  it('caps voice channels at 10 and rings for 30 s unless told otherwise', () => {
    expect(loadConfig({}).voice).toEqual({
      channelLimit: 10,
      ringTimeoutMs: 30_000,
      iceServers: [],
      turn: undefined,
    });
    const c = loadConfig({ DECENTRA_VOICE_CHANNEL_LIMIT: '4', DECENTRA_RING_TIMEOUT_SECONDS: '45' });
    expect(c.voice).toMatchObject({ channelLimit: 4, ringTimeoutMs: 45_000 });
  });

  it('reads a TURN server with a shared secret (URLs comma-separated, a day of credential by default)', () => {
    const secret = 'f'.repeat(32);
    const turn = loadConfig({
      DECENTRA_TURN_URLS: 'turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349',
      DECENTRA_TURN_SECRET: secret,
    }).voice.turn;
    expect(turn).toEqual({
      urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      secret,
      ttlSeconds: 86_400,
    });
    expect(
      loadConfig({
        DECENTRA_TURN_URLS: 'turn:t.example.org',
        DECENTRA_TURN_SECRET: secret,
        DECENTRA_TURN_TTL_SECONDS: '3600',
      }).voice.turn?.ttlSeconds,
    ).toBe(3600);
  });

  it('trusts no proxy by default, or the addresses and networks listed', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ DECENTRA_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ DECENTRA_TRUST_PROXY: '127.0.0.1' }).trustProxy).toEqual(['127.0.0.1']);
    expect(
      loadConfig({ DECENTRA_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,fd00::/8,::1,loopback' }).trustProxy,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1', 'loopback']);
  });

  it('refuses DECENTRA_TRUST_PROXY=true, saying what to write instead', () => {
    const text = failure({ DECENTRA_TRUST_PROXY: 'true' });
    expect(text).toMatch(/^Invalid configuration: DECENTRA_TRUST_PROXY no longer takes true/);
    expect(text).toMatch(/DECENTRA_TRUST_PROXY=127\.0\.0\.1/);
    expect(text).toMatch(/10\.0\.0\.0\/8/);
    expect(text).not.toContain('\n');
  });

  it.each([
    ['1', /not a number of them/],
    ['yes', /must be false or the addresses or networks of your reverse proxies/],
    ['10.0.0.0/33', /must be false or the addresses/],
    ['10.0.0.0/8/1', /must be false or the addresses/],
    ['127.0.0.1,', /must be false or the addresses/],
    ['localhost', /must be false or the addresses/],
  ])('refuses DECENTRA_TRUST_PROXY=%s', (value, message) => {
    expect(failure({ DECENTRA_TRUST_PROXY: value })).toMatch(message);
  });

  it('lets one address make 10 accounts an hour unless told otherwise', () => {
    expect(loadConfig({}).signupsPerHour).toBe(10);
    expect(loadConfig({ DECENTRA_SIGNUPS_PER_HOUR: '50' }).signupsPerHour).toBe(50);
    expect(failure({ DECENTRA_SIGNUPS_PER_HOUR: '0' })).toMatch(
      /DECENTRA_SIGNUPS_PER_HOUR must be a number of accounts from 1 to 100000/,
    );
  });

  it('keeps the Redis prefix and the presence grace to their defaults unless told otherwise', () => {
    const c = loadConfig({});
    expect(c.redisPrefix).toBeUndefined();
    expect(c.presenceGraceMs).toBeUndefined();
    const set = loadConfig({ DECENTRA_REDIS_PREFIX: 'chat-a:', DECENTRA_PRESENCE_GRACE_SECONDS: '10' });
    expect(set.redisPrefix).toBe('chat-a:');
    expect(set.presenceGraceMs).toBe(10_000);
    expect(failure({ DECENTRA_PRESENCE_GRACE_SECONDS: '5' })).toMatch(
      /DECENTRA_PRESENCE_GRACE_SECONDS must be a whole number of seconds from 10 to 3600/,
    );
    expect(failure({ DECENTRA_REDIS_PREFIX: 'two words' })).toMatch(/DECENTRA_REDIS_PREFIX must be 1 to 64/);
  });

  it('accepts production with a key', () => {
    expect(loadConfig({ NODE_ENV: 'production', DECENTRA_ENCRYPTION_KEY: HEX_KEY }).env).toBe('production');
  });
});
