import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';
import type { BusMessage } from '../kernel/events.js';
import type { Bus, BusHandler } from './bus.js';

/**
 * The last element of every published batch: when it was sent (ms since the epoch). Not a
 * BusMessage: this file strips it. An instance from before it delivers it as a message of an
 * unknown kind, which every handler ignores, so instances of both versions can share a bus.
 */
interface PublishedAt {
  kind: 'published_at';
  at: number;
}

const isPublishedAt = (value: unknown): value is PublishedAt =>
  typeof value === 'object' && value !== null && Reflect.get(value, 'kind') === 'published_at';

/**
 * The bus for several instances on one database: every batch is published once to a Redis
 * channel, and every instance (this one included) delivers it to its own sockets. One publish
 * per batch keeps a service's events in order.
 */
export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Set<BusHandler>();
  /** Told, for every batch heard, how long after its publish it arrived (the metrics). */
  private lagObserver: ((seconds: number) => void) | undefined;
  /** The subscriber connection's name in Redis (`CLIENT LIST`), for operators and tests. */
  readonly subscriberName = `decentra-bus-sub-${randomUUID()}`;

  private constructor(
    RedisClient: typeof Redis,
    url: string,
    private readonly channel: string,
    private readonly log: Logger,
  ) {
    this.pub = new RedisClient(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.sub = new RedisClient(url, { lazyConnect: true, connectionName: this.subscriberName });
    for (const client of [this.pub, this.sub])
      client.on('error', (err) => log.warn({ err }, 'redis bus error'));
    this.sub.on('message', (channel: string, payload: string) => {
      if (channel === this.channel) this.deliver(payload);
    });
    // ioredis resubscribes on its own after a reconnect; what was published meanwhile is lost.
    let connected = false;
    this.sub.on('ready', () => {
      if (connected) for (const handler of this.handlers) handler({ kind: 'gap' });
      connected = true;
    });
  }

  static async connect(url: string, log: Logger, channel = 'decentra:bus'): Promise<RedisBus> {
    // ioredis is loaded only when there is a Redis to talk to.
    const { Redis: RedisClient } = await import('ioredis');
    const bus = new RedisBus(RedisClient, url, channel, log);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    await bus.sub.subscribe(channel);
    return bus;
  }

  async publish(messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // The publish time rides along, last: receivers measure the bus's lag (clocks kept by NTP).
    const stamp: PublishedAt = { kind: 'published_at', at: Date.now() };
    await this.pub.publish(this.channel, JSON.stringify([...messages, stamp]));
  }

  /**
   * Also listens on `channel`, which nothing is published to: while this subscriber is connected
   * it counts in `PUBSUB NUMSUB channel`, which is how the other instances see this one alive
   * (`Instances.aliveChannel`). Kept over reconnects, as the bus channel is.
   */
  async listenOn(channel: string): Promise<void> {
    await this.sub.subscribe(channel);
  }

  observeLag(observer: (seconds: number) => void): void {
    this.lagObserver = observer;
  }

  subscribe(handler: BusHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Both connections must work: the publisher sends, the subscriber hears. */
  async ping(): Promise<'ok'> {
    if (this.sub.status !== 'ready') throw new Error(`redis subscriber is ${this.sub.status}`);
    await this.pub.ping();
    return 'ok';
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.sub.disconnect();
    await this.pub.quit().catch(() => this.pub.disconnect());
  }

  private deliver(payload: string): void {
    let messages: BusMessage[];
    try {
      const batch = JSON.parse(payload) as Array<BusMessage | PublishedAt>;
      const last = batch.at(-1);
      // A batch without the stamp comes from an instance from before it.
      if (isPublishedAt(last)) this.lagObserver?.(Math.max(0, Date.now() - last.at) / 1000);
      messages = batch.filter((m): m is BusMessage => !isPublishedAt(m));
    } catch (err) {
      this.log.error({ err }, 'redis bus: unreadable payload');
      return;
    }
    for (const message of messages) for (const handler of this.handlers) handler(message);
  }
}
