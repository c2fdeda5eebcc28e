import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.js';
import type { Clock, TimerHandle } from '../kernel/clock.js';

export const DEFAULT_HEARTBEAT_MS = 5_000;
/** Heartbeats an instance may miss before it no longer counts as alive for a session handover. */
const MISSED_BEATS = 3;

/**
 * Told after every heartbeat; `rejoined` when this instance had been counted dead meanwhile. A
 * listener's promise is waited for (in turn) before the next beat is scheduled, and by `settled`.
 */
export type BeatListener = (beat: { now: number; rejoined: boolean }) => void | Promise<void>;

/**
 * The instances sharing one Redis, each with its last heartbeat: a sorted set (`…instances`,
 * score = the heartbeat's time on the instance's clock). An instance that stops beating is
 * declared dead by the others (presence reaps its users after the grace); nothing is removed on a
 * clean stop, so a killed instance and a stopped one look the same.
 *
 * Besides beating, every instance keeps its bus subscriber listening on a channel of its own
 * (`aliveChannel`): Redis drops that subscription the moment the process dies (its connection
 * closes with it), so a killed instance is known dead at once, not only after missed beats.
 */
export class Instances {
  readonly key: string;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private beating: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<BeatListener>();

  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      instanceId: string;
      clock: Clock;
      log: Logger;
      heartbeatMs?: number;
    },
  ) {
    this.key = `${deps.prefix}instances`;
    this.aliveChannel = aliveChannelOf(deps.prefix, deps.instanceId);
  }

  /** The channel this instance's bus subscriber listens on while the process lives. */
  readonly aliveChannel: string;

  private get heartbeatMs(): number {
    return this.deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  onBeat(listener: BeatListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Beats once now, then every interval on the clock. */
  async start(): Promise<void> {
    await this.beat();
  }

  /**
   * Whether that instance can answer: it has beaten recently enough (on this instance's clock)
   * and its bus subscriber is still connected (a killed process's is gone at once).
   */
  async isLive(instanceId: string): Promise<boolean> {
    const [score, listening] = await Promise.all([
      this.deps.redis.zscore(this.key, instanceId),
      this.deps.redis.pubsub('NUMSUB', aliveChannelOf(this.deps.prefix, instanceId)),
    ]);
    if (score === null || Number(listening[1] ?? 0) === 0) return false;
    return this.deps.clock.now() - Number(score) <= MISSED_BEATS * this.heartbeatMs;
  }

  /** Resolves once the heartbeat under way (if any) and its listeners are done (tests). */
  settled(): Promise<void> {
    return this.beating;
  }

  /** Stops beating; the others will count this instance dead. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    try {
      const added = await this.deps.redis.zadd(this.key, now, this.deps.instanceId);
      const rejoined = Number(added) === 1;
      for (const listener of this.listeners) await listener({ now, rejoined });
    } catch (err) {
      this.deps.log.warn({ err }, 'instance heartbeat failed');
    }
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.beating = this.beat();
    }, this.heartbeatMs);
  }
}

const aliveChannelOf = (prefix: string, instanceId: string) => `${prefix}alive:${instanceId}`;
