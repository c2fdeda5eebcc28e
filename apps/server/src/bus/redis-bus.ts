import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';
import type { BusMessage } from '../kernel/events.js';
import type { Bus, BusHandler } from './bus.js';

/** One publish: its messages and when it was sent (ms since the epoch). */
interface Batch {
  at: number;
  messages: BusMessage[];
}

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
    this.sub.on('message', (_channel: string, payload: string) => this.deliver(payload));
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
    // The publish time rides along: receivers measure the bus's lag (clocks kept by NTP).
    await this.pub.publish(this.channel, JSON.stringify({ at: Date.now(), messages }));
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
      const batch = JSON.parse(payload) as Batch | BusMessage[];
      // A bare array is what instances before the timestamp publish (a rolling upgrade).
      if (Array.isArray(batch)) messages = batch;
      else {
        messages = batch.messages;
        this.lagObserver?.(Math.max(0, Date.now() - batch.at) / 1000);
      }
    } catch (err) {
      this.log.error({ err }, 'redis bus: unreadable payload');
      return;
    }
    for (const message of messages) for (const handler of this.handlers) handler(message);
  }
}
