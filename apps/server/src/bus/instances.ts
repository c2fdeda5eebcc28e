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
  }

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

  /** Whether that instance has beaten recently enough to answer (on this instance's clock). */
  async isLive(instanceId: string): Promise<boolean> {
    const score = await this.deps.redis.zscore(this.key, instanceId);
    if (score === null) return false;
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
