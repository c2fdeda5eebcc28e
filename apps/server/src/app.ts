import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Bus } from './bus/bus.js';
import type { Instances } from './bus/instances.js';
import { LocalBus } from './bus/local-bus.js';
import { RedisBus } from './bus/redis-bus.js';
import { clusterState } from './cluster.js';
import type { Config } from './config.js';
import { AccessService } from './features/access/access.service.js';
import { registerAccountSettings } from './features/account-settings/account-settings.js';
import type { MailLimits } from './features/account-settings/mail-limits.js';
import { accountsRoutes } from './features/accounts/accounts.routes.js';
import { AccountsService } from './features/accounts/accounts.service.js';
import { AuthThrottle, DEFAULT_THROTTLE, type ThrottleLimits } from './features/accounts/auth-throttle.js';
import { KnownDevices } from './features/accounts/known-device.js';
import { argon2Passwords, type Passwords } from './features/accounts/password.js';
import { SessionCache } from './features/accounts/session-cache.js';
import { toUser } from './features/accounts/user-dto.js';
import { FileUrls } from './features/attachments/file-urls.js';
import { backupRoutes } from './features/backup/backup.routes.js';
import { registerChatCore } from './features/chat-core.js';
import { friendsReady } from './features/friends/friends.ready.js';
import { friendsRoutes } from './features/friends/friends.routes.js';
import { FriendsService } from './features/friends/friends.service.js';
import { healthRoutes } from './features/health/health.routes.js';
import { registerInstanceFeatures } from './features/instance.js';
import { invitesRoutes } from './features/invites/invites.routes.js';
import { InvitesService } from './features/invites/invites.service.js';
import type { SendLimits } from './features/messages/send-rate-limit.js';
import { type PresenceOptions, PresenceService } from './features/presence/presence.service.js';
import { type PreviewOptions, registerPreviews } from './features/previews/previews.js';
import { type PushOptions, registerPush } from './features/push/push.js';
import { registerReadStates } from './features/read-states/read-states.js';
import { usersRoutes } from './features/users/users.routes.js';
import { UsersService } from './features/users/users.service.js';
import { registerVoice } from './features/voice/voice.js';
import { Gateway, type GatewayOptions } from './gateway/gateway.js';
import type { OpHandlers } from './gateway/ops.js';
import { ReadyBuilder } from './gateway/ready.js';
import { type RouteHandlers, registerRoutes } from './http/api.js';
import { errorBody, handleError } from './http/error-handler.js';
import { registerJsonBodyLimits } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import type { App } from './http/types.js';
import { registerWebApp } from './http/web-app.js';
import { openBlobStore } from './infra/blob-store/open-blob-store.js';
import { resolveEncryptionKey } from './infra/encryption-key.js';
import { IdGenerator } from './infra/ids.js';
import { createLogger, type Logger } from './infra/logger.js';
import { memoryLimiters, redisLimiters } from './infra/rate-limiter.js';
import { loadTls } from './infra/tls.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { Commands } from './kernel/commands.js';
import type { BusMessage } from './kernel/events.js';
import { Metrics } from './metrics/metrics.js';
import { listenForMetrics, type MetricsListener, registerMetricsRoute } from './metrics/metrics-http.js';
import { type DataDirLock, lockDataDir } from './storage/data-dir-lock.js';
import { secureDataDir } from './storage/data-dir-permissions.js';
import { openStorage, type Storage } from './storage/db.js';
import { EmbeddedMaintenance } from './storage/embedded-maintenance.js';
import { migrate } from './storage/migrate.js';

export interface AppOptions {
  config: Config;
  /** A storage opened by the caller (tests); otherwise opened from the config and closed with the app. */
  storage?: Storage;
  logger?: Logger;
  gateway?: Partial<GatewayOptions>;
  /** Login and signup limits to change (tests); the rest are the defaults and the config's. */
  throttle?: Partial<ThrottleLimits>;
  /** Password-reset and mailed-link limits to change (tests). */
  mailLimits?: Partial<MailLimits>;
  /** How passwords are hashed and checked (tests wrap the real one to count the checks). */
  passwords?: Passwords;
  sendLimits?: SendLimits;
  presence?: PresenceOptions;
  /** Time for keepalive, expiries, presence grace, typing and ringing (tests pass a manual one). */
  clock?: Clock;
  /**
   * Leaves the read-state part out of `ready` (its fields stay empty): only the baseline that
   * bench/ready.ts measures the read states against.
   */
  readyWithoutReadStates?: boolean;
  /** Web Push: CAs to trust beside the system's for push services, queue limits (tests). */
  push?: PushOptions;
  /** Link previews and the media proxy: YouTube's endpoints, limits (tests). */
  previews?: PreviewOptions;
  /** What every Redis key and the bus channel start with (tests give each file its own). */
  redisPrefix?: string;
}

export interface DecentraApp {
  readonly http: App;
  readonly gateway: Gateway;
  readonly storage: Storage;
  readonly bus: Bus;
  /** The heartbeats of the instances sharing Redis; undefined without it. */
  readonly instances: Instances | undefined;
  readonly log: Logger;
  readonly encryptionKey: Buffer;
  /** Files sent in messages (tests run its sweep by hand). */
  readonly files: { sweep(): Promise<{ attachments: number; blobs: number }> };
  /** The separate metrics listener's `/metrics` URL, once listening (DECENTRA_METRICS_LISTEN). */
  readonly metricsUrl: string | undefined;
  listen(): Promise<string>;
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 64 * 1024;

export async function createApp(options: AppOptions): Promise<DecentraApp> {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  // Whatever this process writes (database files, keys, certificates) is its user's alone.
  process.umask(0o077);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  secureDataDir(config.dataDir);

  let lock: DataDirLock | undefined;
  let storage = options.storage;
  const ownsStorage = storage === undefined;
  if (!storage) {
    if (config.database.kind === 'pglite') {
      lock = lockDataDir(config.dataDir);
      storage = await openStorage({
        kind: 'pglite',
        dataDir: config.dataDir,
        thread: config.database.thread ?? false,
      }).catch((err: unknown) => {
        lock?.release();
        throw err;
      });
    } else {
      storage = await openStorage({
        ...config.database,
        onProblem: (message, err) => log.error({ err }, message),
      });
    }
  }
  const store = storage;
  const cleanupOnFailure = async () => {
    if (ownsStorage) await store.close().catch(() => {});
    lock?.release();
  };

  try {
    const applied = await migrate(store.db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
    const workerId = config.workerId ?? (await store.claimWorkerId());
    const ids = new IdGenerator(workerId);
    const encryptionKey = resolveEncryptionKey(config.encryptionKey, config.dataDir, log);
    const tls = await loadTls(config, log);

    // Fastify's own logger type: App is typed with it (pino's Logger is one).
    const httpLog: FastifyBaseLogger = log;
    const http = Fastify({
      loggerInstance: httpLog,
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: config.trustProxy,
      serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
        (tls
          ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler)
          : createHttpServer(handler)) as Server,
    }).withTypeProvider<ZodTypeProvider>();
    http.setValidatorCompiler(validatorCompiler);
    http.setSerializerCompiler(serializerCompiler);
    http.setErrorHandler(handleError);
    http.setNotFoundHandler((req, reply) =>
      reply
        .status(404)
        .send(errorBody('not_found', `No such endpoint: ${req.method} ${req.url.split('?')[0]}`)),
    );
    http.decorateRequest('auth', null);
    await http.register(fastifyCookie);
    // HSTS for a real certificate, or behind a proxy that terminates TLS (then TLS here is off).
    registerSecurityHeaders(http, { hsts: config.tls.mode !== 'self-signed' });
    registerJsonBodyLimits(http);
    await registerOpenApi(http);

    const redisPrefix = options.redisPrefix ?? config.redisPrefix ?? 'decentra:';
    const bus: Bus = config.redisUrl
      ? await RedisBus.connect(config.redisUrl, log, `${redisPrefix}bus`)
      : new LocalBus();
    // Off unless configured: nothing is counted, no default collectors run.
    const metrics: Metrics | undefined = config.metrics
      ? new Metrics({
          openSockets: (): number => gateway.connectionCount,
          gatewaySessions: (): number => gateway.sessionCount,
        })
      : undefined;
    if (metrics) {
      store.observeQueries(metrics.query);
      if (bus instanceof RedisBus) bus.observeLag(metrics.busLagged);
    }
    // With several instances, rate limits are shared through Redis too.
    const limiterRedis = config.redisUrl
      ? new (await import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 2 })
      : undefined;
    limiterRedis?.on('error', (err) => log.warn({ err: err.message }, 'redis (rate limits) error'));
    const limiters = limiterRedis ? redisLimiters(limiterRedis) : memoryLimiters;
    const db = store.db;
    const clock = options.clock;
    // Sessions, presence and typing shared by the instances (on the same Redis connection).
    const shared = limiterRedis
      ? clusterState({
          redis: limiterRedis,
          bus,
          prefix: redisPrefix,
          instanceId: randomUUID(),
          clock: clock ?? systemClock,
          log,
          ...(options.presence?.heartbeatMs ? { heartbeatMs: options.presence.heartbeatMs } : {}),
        })
      : undefined;
    // Before this instance holds anything: the others count it alive only while it listens.
    if (shared && bus instanceof RedisBus) await bus.listenOn(shared.instances.aliveChannel);
    const sessionCache = new SessionCache(clock ?? systemClock);
    bus.subscribe(sessionCache.onBusMessage);
    // This instance forgets what it revokes before it answers, not when Redis brings it back.
    const publisher = {
      publish: (messages: readonly BusMessage[]) => {
        for (const message of messages) sessionCache.onBusMessage(message);
        return bus.publish(messages);
      },
    };
    const commands = new Commands(db, publisher, (err) => log.error({ err }, 'a follow-up command failed'));
    const access = new AccessService();
    const invites = new InvitesService();
    const throttle = new AuthThrottle(
      { ...DEFAULT_THROTTLE, signupsPerAddress: config.signupsPerHour, ...options.throttle },
      limiters,
    );
    const knownDevices = new KnownDevices(encryptionKey, clock ? () => clock.now() : Date.now);
    const passwords = options.passwords ?? argon2Passwords;
    const now = clock ? () => new Date(clock.now()) : () => new Date();
    const accounts = new AccountsService({
      db,
      commands,
      ids,
      invites,
      throttle,
      passwords,
      knownDevices,
      sessionTtlMs: config.sessionTtlMs,
      sessionCache,
      ...(clock ? { now: () => new Date(clock.now()) } : {}),
    });
    const friends = new FriendsService({ db, ids });
    const instance = registerInstanceFeatures({
      db,
      engine: store.engine,
      commands,
      accounts,
      encryptionKey,
      config,
      clock: clock ?? systemClock,
      log,
    });
    // Uploads being received: what a stopped process left there is of no use.
    const spoolDir = join(config.dataDir, 'tmp', 'uploads');
    rmSync(spoolDir, { recursive: true, force: true });
    const chat = registerChatCore({
      files: {
        store: openBlobStore(config.files, config.dataDir),
        urls: new FileUrls(encryptionKey, clock ? () => clock.now() : Date.now),
        config: config.files,
        spoolDir,
        onProblem: (message, err) => log.error({ err }, message),
      },
      db,
      ids,
      bus,
      commands,
      access,
      accounts,
      invites,
      friends,
      sendLimits: options.sendLimits,
      limiters,
      clock: options.clock,
      ...(metrics ? { onGroupCommit: metrics.groupCommit } : {}),
      ...(shared ? { typingThrottle: shared.typing } : {}),
    });
    const voice = registerVoice({
      commands,
      access,
      friends,
      servers: chat.servers,
      members: chat.members,
      channels: chat.channels,
      messages: chat.messages,
      dms: chat.dms,
      config: config.voice,
      log,
      clock: options.clock,
      ...(shared ? { shared: shared.voice } : {}),
    });
    const presence = new PresenceService(
      db,
      commands,
      log,
      options.presence ??
        (config.presenceGraceMs === undefined ? undefined : { offlineGraceMs: config.presenceGraceMs }),
      options.clock,
      shared?.presence,
    );
    const readStates = registerReadStates({
      db,
      commands,
      access,
      servers: chat.servers,
      members: chat.members,
      channels: chat.channels,
      now,
    });
    const push = registerPush({
      db,
      commands,
      ids,
      messages: chat.messages,
      encryptionKey,
      publicUrl: config.publicUrl,
      allowPrivateFetch: config.allowPrivateFetch,
      settingsOf: (userId) => instance.settings.get(userId),
      overridesOf: async (userId) =>
        Object.fromEntries((await readStates.service.overrides(userId)).map((o) => [o.targetId, o])),
      isOnline: (userId) => presence.isOnline(userId),
      onlineAmong: (userIds) => presence.onlineAmong(userIds),
      log,
      now: clock ? () => clock.now() : Date.now,
      options: options.push,
    });
    const previews = registerPreviews({
      db,
      commands,
      messages: chat.messages,
      encryptionKey,
      dataDir: config.dataDir,
      allowPrivateFetch: config.allowPrivateFetch,
      log,
      now: clock ? () => clock.now() : Date.now,
      options: options.previews,
    });
    const accountSettings = registerAccountSettings({
      db,
      commands,
      throttle,
      passwords,
      mailer: instance.mailer,
      limiters,
      mailLimits: options.mailLimits,
      publicUrl: config.publicUrl,
      instanceName: async () => (await instance.admin.settings()).instance.name,
      servers: chat.servers,
      members: chat.members,
      friends,
      invites,
      settings: instance.settings,
      readStates: readStates.service,
      push: push.service,
      avatars: chat.avatars,
      log,
      now,
    });

    // Every route and op of the contract, each once: a missing handler fails the type-check.
    const routes: RouteHandlers = {
      ...healthRoutes({ storage: store, bus }),
      ...accountsRoutes({
        accounts,
        commands,
        sessionTtlMs: config.sessionTtlMs,
        knownDeviceTtlMs: knownDevices.lifetimeMs,
      }),
      ...invitesRoutes({ invites, commands }),
      ...usersRoutes({ users: new UsersService(db, friends) }),
      ...friendsRoutes({ friends, commands }),
      ...instance.routes,
      ...chat.routes,
      ...voice.routes,
      ...accountSettings.routes,
      ...readStates.routes,
      ...push.routes,
      ...previews.routes,
      ...backupRoutes({ storage: store, dataDir: config.dataDir, encryptionKey, log }),
    };
    const ops: OpHandlers = { ...chat.ops, ...voice.ops, ...readStates.ops };
    registerRoutes(http, accounts.authenticate, routes, { maxUploadBytes: config.files.maxUploadBytes });
    if (metrics && config.metrics?.token) registerMetricsRoute(http, metrics, config.metrics.token);
    await registerWebApp(http);

    const ready = new ReadyBuilder();
    ready.add(async (auth) => ({ data: { user: toUser(auth.user) } }));
    ready.add(async (auth) => ({ data: { settings: await instance.settings.get(auth.actor.id) } }));
    for (const part of chat.ready) ready.add(part);
    ready.add(friendsReady(friends));
    ready.add(voice.ready);
    if (!options.readyWithoutReadStates) ready.add(readStates.ready);
    ready.add(async (auth) => ({ data: { presences: await presence.visiblePresences(auth.actor.id) } }));

    const gateway = new Gateway({
      authenticate: accounts.authenticate,
      bus,
      ...(shared ? { directory: shared.directory } : {}),
      ready,
      ops,
      log,
      parseCookie: (header) => http.parseCookie(header),
      options: options.gateway,
      clock: options.clock,
      ...(metrics ? { metrics } : {}),
    });
    gateway.attach(http.server);
    if (metrics) gateway.watchSessions(metrics.onSessionsChanged);
    gateway.watchSessions(voice.onSessionsChanged);
    gateway.watchSessions(presence.onSessionsChanged);
    const stopPresenceWatch = bus.subscribe(presence.onBusMessage);
    shared?.instances.onBeat(presence.onBeat);
    shared?.instances.onBeat(voice.onBeat);
    await shared?.instances.start();
    await http.ready();
    chat.attachments.start();
    const maintenance =
      store.engine === 'pglite'
        ? new EmbeddedMaintenance({
            db: store.db,
            clock: clock ?? systemClock,
            onRound: (round) => log.info(round, 'embedded database maintained (vacuum, analyze)'),
            onProblem: (message, err) => log.error({ err }, message),
          })
        : undefined;
    maintenance?.start();
    let metricsListener: MetricsListener | undefined;

    return {
      http,
      gateway,
      storage: store,
      bus,
      instances: shared?.instances,
      log,
      encryptionKey,
      files: chat.attachments,
      get metricsUrl() {
        return metricsListener?.url;
      },
      async listen() {
        // Node's default accept queue (511) overflows when thousands of clients reconnect at once
        // (a restart): the kernel then drops their handshakes and resets some (bench:identify at
        // 5,000-10,000 sockets). Linux caps this at net.core.somaxconn (4096 by default).
        await http.listen({ port: config.port, host: config.host, backlog: 4096 });
        const metricsAt = config.metrics?.listen;
        if (metrics && metricsAt)
          metricsListener = await listenForMetrics(metrics, metricsAt, config.metrics?.token);
        const address = http.server.address();
        const port = typeof address === 'object' && address ? address.port : config.port;
        const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
        return `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
      },
      async close() {
        // Stop taking connections first (a request arriving meanwhile gets 503); the HTTP
        // server's close resolves once every request in flight and every socket has ended.
        const httpClosed = http.close();
        chat.attachments.stop();
        await metricsListener?.close();
        stopPresenceWatch();
        // No goodbye in Redis: the others count this instance dead after the grace, as if killed,
        // so that its users who reconnect elsewhere meanwhile never flicker offline.
        shared?.instances.stop();
        presence.close();
        await gateway.close();
        // Its voice and calls stay in Redis like its presence: the others reap them.
        voice.close();
        await httpClosed;
        // No message can arrive any more: pushes still waiting are dropped, those in flight cut short.
        await push.close();
        await previews.close();
        await bus.close();
        limiterRedis?.disconnect();
        await maintenance?.stop();
        if (ownsStorage) await store.close();
        lock?.release();
      },
    };
  } catch (err) {
    await cleanupOnFailure();
    throw err;
  }
}
