/** At most one ack per channel this often during a burst (the gateway allows 120 frames a minute). */
export const ACK_INTERVAL_MS = 1_000;

/**
 * Spaces out the acks of each channel: the first of a burst goes at once (the badge goes at once),
 * the rest are folded into one at the end of the interval. `send` is told whether the channel is
 * being left (a pending ack then goes at once, since what arrived was on screen).
 */
export class AckThrottle {
  private readonly last = new Map<string, number>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly send: (channelId: string, leaving: boolean) => void,
    private readonly now: () => number = Date.now,
    private readonly interval = ACK_INTERVAL_MS,
  ) {}

  /** Asks for an ack of the channel: now, or at the end of its interval. */
  request(channelId: string): void {
    if (this.timers.has(channelId)) return;
    const wait = (this.last.get(channelId) ?? Number.NEGATIVE_INFINITY) + this.interval - this.now();
    if (wait <= 0) {
      this.fire(channelId, false);
      return;
    }
    this.timers.set(
      channelId,
      setTimeout(() => {
        this.timers.delete(channelId);
        this.fire(channelId, false);
      }, wait),
    );
  }

  /** The channel is left: an ack still waiting goes now. */
  flush(channelId: string): void {
    const timer = this.timers.get(channelId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(channelId);
    this.fire(channelId, true);
  }

  private fire(channelId: string, leaving: boolean): void {
    this.last.set(channelId, this.now());
    this.send(channelId, leaving);
  }
}
