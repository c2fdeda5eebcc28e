import { isIP } from 'node:net';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_UPLOAD_QUOTA_BYTES,
  DEFAULT_VOICE_CHANNEL_LIMIT,
  type IceServer,
  IceServerSchema,
} from '@decentra/protocol';
import * as z from 'zod';

/**
 * Every environment variable Decentra reads, validated once at start.
 * docs/configuration.md mirrors this file: keep them together.
 */
const port = z.coerce
  .number({ error: 'must be a port number from 0 to 65535' })
  .int('must be a port number from 0 to 65535')
  .min(0, 'must be a port number from 0 to 65535')
  .max(65535, 'must be a port number from 0 to 65535');

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgresql:// connection URL')
  .refine((v) => URL.canParse(v), 'must be a postgresql:// connection URL');

const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
  .refine((v) => URL.canParse(v), 'must be a redis:// or rediss:// URL');

const encryptionKey = z
  .string()
  .refine((v) => decodeKey(v) !== undefined, 'must be 32 bytes as 64 hex characters or 44 base64 characters')
  .transform((v) => decodeKey(v) as Buffer);

const iceServers = z
  .string()
  .transform((v, ctx) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {urls, username?, credential?}' });
      return z.NEVER;
    }
  })
  .pipe(z.array(IceServerSchema, 'must be a JSON array of {urls, username?, credential?}'));

const DEFAULT_RING_TIMEOUT_SECONDS = 30;
/** Accounts one client address may make per hour: a meetup signing up on one Wi-Fi raises it. */
const DEFAULT_SIGNUPS_PER_HOUR = 10;

/** A whole number in [min, max], with the one message a refusal shows. */
const wholeNumber = (min: number, max: number, what: string) => {
  const message = `must be ${what} from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

/** `turn:` / `turns:` URIs (RFC 7065), comma-separated: `turn:turn.example.org:3478?transport=udp`. */
const TURN_URI = /^turns?:[^\s?,]+(\?transport=(udp|tcp))?$/;
const turnUrls = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u.length > 0),
  )
  .refine(
    (urls) => urls.length > 0 && urls.every((u) => TURN_URI.test(u)),
    'must be comma-separated turn: or turns: URIs, e.g. turn:turn.example.org:3478',
  );

/**
 * Whom to believe about the client's address (X-Forwarded-For) and protocol: nobody (`false`),
 * or the proxies at these addresses or networks (Fastify walks X-Forwarded-For back from the
 * peer while the hop is one of them, and the client is the first hop that is not). `true`,
 * "anyone", is refused: every client could then name its own address. So is a number of hops:
 * a count cannot tell the proxy from a client that reaches the port directly with a made-up
 * header (Fastify 5 no longer honours one either).
 */
export type TrustProxy = false | string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const TRUST_PROXY_EXAMPLE =
  'DECENTRA_TRUST_PROXY=127.0.0.1 when the proxy runs on this machine, or its network, e.g. 10.0.0.0/8';
const TRUST_PROXY_HELP = `must be false or the addresses or networks of your reverse proxies, comma-separated (${TRUST_PROXY_EXAMPLE})`;

function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const trustProxy = z.string().transform((v, ctx): TrustProxy => {
  const value = v.trim();
  if (value === 'false') return false;
  if (value === 'true') {
    ctx.addIssue({
      code: 'custom',
      message: `no longer takes true, which believed any X-Forwarded-For (a client could name its own address and dodge the login limits): write the address of your proxy instead, ${TRUST_PROXY_EXAMPLE}`,
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `takes the addresses of your proxies, not a number of them (a count cannot tell your proxy from a client with a made-up header): ${TRUST_PROXY_EXAMPLE}`,
    });
    return z.NEVER;
  }
  const entries = value.split(',').map((e) => e.trim());
  if (entries.every(isProxyEntry)) return entries;
  ctx.addIssue({ code: 'custom', message: TRUST_PROXY_HELP });
  return z.NEVER;
});

/** The address people open, for links in mails: http(s), no path beyond `/`, no query. */
const publicUrl = z.string().transform((v, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {}
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username) {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) address such as https://chat.example.org' });
    return z.NEVER;
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
});

/** `host:port` (`[::1]:9100` for IPv6) of the separate plain-HTTP listener for `/metrics`. */
const listenAddress = z.string().transform((v, ctx) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(v);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'must be host:port, e.g. 127.0.0.1:9100 or [::1]:9100' });
    return z.NEVER;
  }
  return { host: match[1] ?? match[2] ?? '', port };
});

const EnvSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'], 'must be development, production or test')
      .default('development'),
    PORT: port.default(8765),
    HOST: z.string().min(1).default('0.0.0.0'),
    DECENTRA_DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: z.coerce
      .number({ error: 'must be an integer from 1 to 100' })
      .int('must be an integer from 1 to 100')
      .min(1, 'must be an integer from 1 to 100')
      .max(100, 'must be an integer from 1 to 100')
      .default(10),
    REDIS_URL: redisUrl.optional(),
    DECENTRA_REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1 to 64 letters, digits or : _ . -')
      .optional(),
    DECENTRA_PRESENCE_GRACE_SECONDS: wholeNumber(10, 3600, 'a whole number of seconds').optional(),
    DECENTRA_TLS: z.enum(['on', 'off'], 'must be on or off').default('on'),
    DECENTRA_TLS_CERT: z.string().min(1).optional(),
    DECENTRA_TLS_KEY: z.string().min(1).optional(),
    DECENTRA_ENCRYPTION_KEY: encryptionKey.optional(),
    DECENTRA_WORKER_ID: z.coerce
      .number({ error: 'must be an integer from 0 to 1023' })
      .int('must be an integer from 0 to 1023')
      .min(0, 'must be an integer from 0 to 1023')
      .max(1023, 'must be an integer from 0 to 1023')
      .optional(),
    DECENTRA_SESSION_DAYS: z.coerce
      .number({ error: 'must be a whole number of days from 1 to 365' })
      .int('must be a whole number of days from 1 to 365')
      .min(1, 'must be a whole number of days from 1 to 365')
      .max(365, 'must be a whole number of days from 1 to 365')
      .default(30),
    DECENTRA_ICE_SERVERS: iceServers.default([]),
    DECENTRA_VOICE_CHANNEL_LIMIT: wholeNumber(1, 100, 'a number of people').default(
      DEFAULT_VOICE_CHANNEL_LIMIT,
    ),
    DECENTRA_RING_TIMEOUT_SECONDS: wholeNumber(5, 300, 'a whole number of seconds').default(
      DEFAULT_RING_TIMEOUT_SECONDS,
    ),
    DECENTRA_TURN_URLS: turnUrls.optional(),
    DECENTRA_TURN_SECRET: z
      .string()
      .min(16, 'must be at least 16 characters (make one with: openssl rand -hex 32)')
      .optional(),
    DECENTRA_TURN_TTL_SECONDS: wholeNumber(60, 604_800, 'a whole number of seconds').default(86_400),
    DECENTRA_TRUST_PROXY: trustProxy.default(false),
    DECENTRA_PUBLIC_URL: publicUrl.optional(),
    DECENTRA_SMTP_CA_FILE: z.string().min(1).optional(),
    DECENTRA_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    DECENTRA_METRICS_LISTEN: listenAddress.optional(),
    DECENTRA_PGLITE_THREAD: z
      .enum(['true', 'false'], 'must be true or false')
      .default('false')
      .transform((v) => v === 'true'),
    DECENTRA_ALLOW_PRIVATE_FETCH: z
      .enum(['true', 'false'], 'must be true or false')
      .default('false')
      .transform((v) => v === 'true'),
    DECENTRA_SIGNUPS_PER_HOUR: wholeNumber(1, 100_000, 'a number of accounts').default(
      DEFAULT_SIGNUPS_PER_HOUR,
    ),
    DECENTRA_MAX_UPLOAD_BYTES: wholeNumber(1, 2 ** 40, 'a number of bytes').default(DEFAULT_MAX_UPLOAD_BYTES),
    DECENTRA_UPLOAD_QUOTA_BYTES: wholeNumber(0, 2 ** 50, 'a number of bytes').default(
      DEFAULT_UPLOAD_QUOTA_BYTES,
    ),
    DECENTRA_S3_ENDPOINT: z.url({ error: 'must be an http(s) URL', protocol: /^https?$/ }).optional(),
    DECENTRA_S3_BUCKET: z.string().min(1).optional(),
    DECENTRA_S3_REGION: z.string().min(1).default('us-east-1'),
    DECENTRA_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    DECENTRA_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    DECENTRA_S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'], 'must be true or false')
      .default('false')
      .transform((v) => v === 'true'),
    LOG_LEVEL: z
      .enum(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
        'must be one of fatal, error, warn, info, debug, trace, silent',
      )
      .default('info'),
  })
  .superRefine((env, ctx) => {
    if ((env.DECENTRA_TLS_CERT === undefined) !== (env.DECENTRA_TLS_KEY === undefined)) {
      const missing = env.DECENTRA_TLS_CERT === undefined ? 'DECENTRA_TLS_CERT' : 'DECENTRA_TLS_KEY';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'must be set together with its pair (certificate and key files)',
      });
    }
    if ((env.DECENTRA_TURN_URLS === undefined) !== (env.DECENTRA_TURN_SECRET === undefined)) {
      const missing = env.DECENTRA_TURN_URLS === undefined ? 'DECENTRA_TURN_URLS' : 'DECENTRA_TURN_SECRET';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'must be set together with its pair (the TURN server URLs and its shared secret)',
      });
    }
    if ((env.DECENTRA_S3_ACCESS_KEY_ID === undefined) !== (env.DECENTRA_S3_SECRET_ACCESS_KEY === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [
          env.DECENTRA_S3_ACCESS_KEY_ID === undefined
            ? 'DECENTRA_S3_ACCESS_KEY_ID'
            : 'DECENTRA_S3_SECRET_ACCESS_KEY',
        ],
        message: 'must be set together with its pair (the S3 key id and its secret)',
      });
    }
    if (env.DECENTRA_S3_BUCKET === undefined && env.DECENTRA_S3_ENDPOINT !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DECENTRA_S3_BUCKET'],
        message: 'is needed with DECENTRA_S3_ENDPOINT: the bucket files are stored in',
      });
    }
    if (env.REDIS_URL !== undefined && env.DATABASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'needs DATABASE_URL: several instances cannot share the embedded database',
      });
    }
    if (env.NODE_ENV === 'production' && env.DECENTRA_ENCRYPTION_KEY === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DECENTRA_ENCRYPTION_KEY'],
        message:
          'is required when NODE_ENV=production: it encrypts stored secrets and must not be generated silently (make one with: openssl rand -hex 32)',
      });
    } else if (env.REDIS_URL !== undefined && env.DECENTRA_ENCRYPTION_KEY === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['DECENTRA_ENCRYPTION_KEY'],
        message: 'is required with REDIS_URL: every instance must share the same key',
      });
    }
  });

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** `thread`: the embedded database in a worker thread (DECENTRA_PGLITE_THREAD, off by default). */
  database: { kind: 'pglite'; thread?: boolean } | { kind: 'postgres'; url: string; poolSize: number };
  redisUrl: string | undefined;
  /** What every Redis key and the bus channel start with (DECENTRA_REDIS_PREFIX); unset: `decentra:`. */
  redisPrefix?: string | undefined;
  /**
   * How long a dropped user stays online before being announced offline, and how long a silent
   * instance may go before the others end its users' presence (DECENTRA_PRESENCE_GRACE_SECONDS).
   */
  presenceGraceMs?: number | undefined;
  tls: { mode: 'self-signed' } | { mode: 'files'; certFile: string; keyFile: string } | { mode: 'off' };
  encryptionKey: Buffer | undefined;
  workerId: number | undefined;
  sessionTtlMs: number;
  trustProxy: TrustProxy;
  /** Accounts one client address may make per hour. */
  signupsPerHour: number;
  voice: VoiceConfig;
  /**
   * Where people open the app (DECENTRA_PUBLIC_URL, no trailing slash): the links in mails. Never
   * taken from a request's Host header, which a client chooses (a reset mail must not link elsewhere).
   */
  publicUrl: string;
  /** A PEM file of extra CAs to trust for the SMTP server's certificate (a private mail server). */
  smtpCaFile: string | undefined;
  /**
   * Whether URLs others give the server (Web Push endpoints) may point at loopback, private,
   * link-local and other non-public addresses (DECENTRA_ALLOW_PRIVATE_FETCH): off by default (SSRF
   * guard, infra/safe-lookup.ts); on for a LAN-only install with its own push service, and tests.
   */
  allowPrivateFetch: boolean;
  logLevel: string;
  files: FilesConfig;
  /**
   * `/metrics` (Prometheus): absent, it is off. With a token, the main port serves it to
   * `Authorization: Bearer <token>`; with an address, a separate plain-HTTP listener serves it.
   */
  metrics?: MetricsConfig | undefined;
}

export interface MetricsConfig {
  token: string | undefined;
  listen: { host: string; port: number } | undefined;
}

/** Uploaded files: limits, and where their bytes are kept. */
export interface FilesConfig {
  /** The largest file one upload may be (DECENTRA_MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
  /** What one user may store in all (DECENTRA_UPLOAD_QUOTA_BYTES). */
  uploadQuotaBytes: number;
  /** An S3-compatible bucket (DECENTRA_S3_*); without it, files live in `<dataDir>/files`. */
  s3: S3Config | undefined;
}

export interface S3Config {
  bucket: string;
  /** An S3-compatible service's URL (MinIO, Garage, R2…); AWS itself without it. */
  endpoint: string | undefined;
  region: string;
  /** Without a key pair, the AWS SDK's own chain (environment, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
}

export const DEFAULT_FILES_CONFIG: FilesConfig = {
  maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
  uploadQuotaBytes: DEFAULT_UPLOAD_QUOTA_BYTES,
  s3: undefined,
};

/** Voice channels and calls: caps, ringing, and the ICE servers handed to browsers. */
export interface VoiceConfig {
  /** People at most in one voice channel (each sends their audio to every other: a mesh). */
  channelLimit: number;
  /** How long a call rings unanswered before it is missed. */
  ringTimeoutMs: number;
  /** Static STUN/TURN servers, as configured (DECENTRA_ICE_SERVERS). */
  iceServers: IceServer[];
  /** A TURN server sharing a secret with us (coturn's use-auth-secret): credentials made per user. */
  turn: TurnConfig | undefined;
}

export interface TurnConfig {
  urls: string[];
  secret: string;
  /** How long a credential handed out stays valid. */
  ttlSeconds: number;
}

export const DEFAULT_VOICE_CONFIG: VoiceConfig = {
  channelLimit: DEFAULT_VOICE_CHANNEL_LIMIT,
  ringTimeoutMs: DEFAULT_RING_TIMEOUT_SECONDS * 1000,
  iceServers: [],
  turn: undefined,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": that is how shells and compose files blank a value.
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got =
      typeof env[name] === 'string' && !/KEY|PASSWORD|SECRET|TOKEN|URL/.test(name)
        ? ` (got "${env[name]}")`
        : '';
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${got}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DECENTRA_DATA_DIR,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'pglite', ...(e.DECENTRA_PGLITE_THREAD ? { thread: true } : {}) },
    redisUrl: e.REDIS_URL,
    ...(e.DECENTRA_REDIS_PREFIX === undefined ? {} : { redisPrefix: e.DECENTRA_REDIS_PREFIX }),
    ...(e.DECENTRA_PRESENCE_GRACE_SECONDS === undefined
      ? {}
      : { presenceGraceMs: e.DECENTRA_PRESENCE_GRACE_SECONDS * 1000 }),
    tls:
      e.DECENTRA_TLS === 'off'
        ? { mode: 'off' }
        : e.DECENTRA_TLS_CERT && e.DECENTRA_TLS_KEY
          ? { mode: 'files', certFile: e.DECENTRA_TLS_CERT, keyFile: e.DECENTRA_TLS_KEY }
          : { mode: 'self-signed' },
    encryptionKey: e.DECENTRA_ENCRYPTION_KEY,
    workerId: e.DECENTRA_WORKER_ID,
    sessionTtlMs: e.DECENTRA_SESSION_DAYS * 24 * 60 * 60 * 1000,
    trustProxy: e.DECENTRA_TRUST_PROXY,
    signupsPerHour: e.DECENTRA_SIGNUPS_PER_HOUR,
    voice: {
      channelLimit: e.DECENTRA_VOICE_CHANNEL_LIMIT,
      ringTimeoutMs: e.DECENTRA_RING_TIMEOUT_SECONDS * 1000,
      iceServers: e.DECENTRA_ICE_SERVERS,
      turn:
        e.DECENTRA_TURN_URLS && e.DECENTRA_TURN_SECRET
          ? {
              urls: e.DECENTRA_TURN_URLS,
              secret: e.DECENTRA_TURN_SECRET,
              ttlSeconds: e.DECENTRA_TURN_TTL_SECONDS,
            }
          : undefined,
    },
    publicUrl:
      e.DECENTRA_PUBLIC_URL ??
      `${e.DECENTRA_TLS === 'off' ? 'http' : 'https'}://localhost${e.PORT === 443 || (e.DECENTRA_TLS === 'off' && e.PORT === 80) ? '' : `:${e.PORT}`}`,
    smtpCaFile: e.DECENTRA_SMTP_CA_FILE,
    allowPrivateFetch: e.DECENTRA_ALLOW_PRIVATE_FETCH,
    ...(e.DECENTRA_METRICS_TOKEN !== undefined || e.DECENTRA_METRICS_LISTEN !== undefined
      ? { metrics: { token: e.DECENTRA_METRICS_TOKEN, listen: e.DECENTRA_METRICS_LISTEN } }
      : {}),
    logLevel: e.LOG_LEVEL,
    files: {
      maxUploadBytes: e.DECENTRA_MAX_UPLOAD_BYTES,
      uploadQuotaBytes: e.DECENTRA_UPLOAD_QUOTA_BYTES,
      s3: e.DECENTRA_S3_BUCKET
        ? {
            bucket: e.DECENTRA_S3_BUCKET,
            endpoint: e.DECENTRA_S3_ENDPOINT,
            region: e.DECENTRA_S3_REGION,
            credentials:
              e.DECENTRA_S3_ACCESS_KEY_ID && e.DECENTRA_S3_SECRET_ACCESS_KEY
                ? {
                    accessKeyId: e.DECENTRA_S3_ACCESS_KEY_ID,
                    secretAccessKey: e.DECENTRA_S3_SECRET_ACCESS_KEY,
                  }
                : undefined,
            forcePathStyle: e.DECENTRA_S3_FORCE_PATH_STYLE,
          }
        : undefined,
    },
  };
}

export function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const buf = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === 32) return buf;
  }
  return undefined;
}
