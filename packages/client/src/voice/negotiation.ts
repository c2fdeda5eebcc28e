import type { ClientClock, ClockTimer } from '../gateway.js';

/**
 * Perfect negotiation's roles: of two peers, the one with the smaller user id (compared as
 * integers: ids are snowflakes, and '9' < '10') is polite — it gives way when both offer at once;
 * the other one ignores the colliding offer. Both ends compute the same answer from the same ids.
 */
export function isPolite(selfId: string, peerId: string): boolean {
  return BigInt(selfId) < BigInt(peerId);
}

/**
 * What to do with an ICE candidate from the peer: `drop` it when it belongs to an offer we are
 * ignoring (a collision we won), `queue` it while there is no remote description yet (adding it
 * would fail, and it must not be lost), otherwise `add` it.
 */
export function candidateAction(state: {
  hasRemoteDescription: boolean;
  ignoringOffer: boolean;
}): 'add' | 'queue' | 'drop' {
  if (state.ignoringOffer) return 'drop';
  return state.hasRemoteDescription ? 'add' : 'queue';
}

/**
 * Whether a candidate belongs to the ICE session of the remote description in force: one with the
 * username fragment of an earlier session (sent before an ICE restart, or for an offer that was
 * rolled back, then kept in the queue) would be refused by `addIceCandidate`, and is of no use.
 */
export function candidateFits(usernameFragment: string | null | undefined, remoteSdp: string): boolean {
  if (!usernameFragment) return true;
  return remoteSdp.split(/\r?\n/).some((line) => line.trim() === `a=ice-ufrag:${usernameFragment}`);
}

export interface RecoveryTiming {
  /** How long ICE may stay `disconnected` before it is restarted (it often recovers by itself). */
  disconnectedGraceMs: number;
  /** How long the first offer may go unanswered before it is rolled back and made again; doubles. */
  offerTimeoutMs: number;
  /** After ignoring a colliding offer: how long to wait for the answer to ours before offering again. */
  collisionRetryMs: number;
  /** The second ICE restart of a bad spell waits this long; each further one twice as long. */
  restartBackoffMs: number;
  /** No wait is longer than this. */
  maxDelayMs: number;
}

export const RECOVERY_TIMING: RecoveryTiming = {
  disconnectedGraceMs: 3_000,
  offerTimeoutMs: 5_000,
  collisionRetryMs: 3_000,
  restartBackoffMs: 2_000,
  maxDelayMs: 30_000,
};

/** The wait before ICE restart number `attempt` (0-based) of one bad spell: 0, 2 s, 4 s, … 30 s. */
export function iceRestartDelay(attempt: number, timing: RecoveryTiming = RECOVERY_TIMING): number {
  if (attempt <= 0) return 0;
  return Math.min(timing.restartBackoffMs * 2 ** (attempt - 1), timing.maxDelayMs);
}

/** How long offer number `attempt` (0-based) may go unanswered: 5 s, 10 s, 20 s, 30 s, … */
export function offerTimeout(attempt: number, timing: RecoveryTiming = RECOVERY_TIMING): number {
  return Math.min(timing.offerTimeoutMs * 2 ** Math.max(0, attempt), timing.maxDelayMs);
}

export interface RecoveryActions {
  /** Restart ICE (`pc.restartIce()`); the negotiation follows through `negotiationneeded`. */
  restartIce(): void;
  /** Our offer went unanswered (lost, or dropped by a peer that did not know us yet): send it again. */
  retryOffer(): void;
}

/**
 * When one peer connection needs help, on a clock: ICE that `failed` is restarted at once, ICE
 * `disconnected` for `disconnectedGraceMs` too, and while it stays failed or disconnected it is
 * restarted again with backoff (each restart costs signalling frames, and the gateway limits them);
 * an offer left unanswered is made again, soon after a collision and with backoff otherwise. Fed the
 * connection's state changes; knows nothing of WebRTC objects, so it is tested with a manual clock.
 */
export class Recovery {
  private ice: RTCIceConnectionState = 'new';
  private signaling: RTCSignalingState = 'stable';
  private restarts = 0;
  private offers = 0;
  private iceTimer: ClockTimer | undefined;
  private offerTimer: ClockTimer | undefined;
  private disposed = false;

  constructor(
    private readonly clock: ClientClock,
    private readonly actions: RecoveryActions,
    private readonly timing: RecoveryTiming = RECOVERY_TIMING,
  ) {}

  iceState(state: RTCIceConnectionState): void {
    if (this.disposed) return;
    this.ice = state;
    switch (state) {
      case 'connected':
      case 'completed':
        this.restarts = 0;
        this.cancelIce();
        return;
      case 'failed':
        this.cancelIce();
        this.scheduleRestart(iceRestartDelay(this.restarts, this.timing));
        return;
      case 'disconnected':
        if (!this.iceTimer) this.scheduleRestart(Math.max(this.timing.disconnectedGraceMs, this.backoff()));
        return;
      case 'closed':
        this.dispose();
        return;
      default:
        // new / checking: a restart (ours or the peer's) is under way; it ends connected or failed.
        this.cancelIce();
    }
  }

  /** A restart asked for from outside (network change, the app): now, and the backoff starts over. */
  restartNow(): void {
    if (this.disposed) return;
    this.cancelIce();
    this.restarts = 0;
    this.actions.restartIce();
  }

  signalingState(state: RTCSignalingState): void {
    if (this.disposed) return;
    this.signaling = state;
    this.cancelOffer();
    if (state === 'have-local-offer') this.scheduleOfferRetry(offerTimeout(this.offers, this.timing));
    if (state === 'closed') this.dispose();
  }

  /**
   * We ignored the peer's offer because ours collided with it. Normally its answer to ours follows
   * at once; if ours never reached it (it did not know us yet when we sent it), offer again soon.
   */
  collision(): void {
    if (this.disposed || this.signaling !== 'have-local-offer') return;
    this.cancelOffer();
    this.scheduleOfferRetry(this.timing.collisionRetryMs);
  }

  /** A description from the peer was applied: signalling works, the offer backoff starts over. */
  negotiated(): void {
    this.offers = 0;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelIce();
    this.cancelOffer();
  }

  private backoff(): number {
    return iceRestartDelay(this.restarts, this.timing);
  }

  private scheduleRestart(ms: number): void {
    const fire = () => {
      this.iceTimer = undefined;
      if (this.disposed || (this.ice !== 'failed' && this.ice !== 'disconnected')) return;
      this.restarts += 1;
      this.actions.restartIce();
      // If nothing moves (the restart's offer is lost too), try again later.
      this.scheduleRestart(this.backoff());
    };
    if (ms <= 0) fire();
    else this.iceTimer = this.clock.setTimeout(fire, ms);
  }

  private scheduleOfferRetry(ms: number): void {
    this.offerTimer = this.clock.setTimeout(() => {
      this.offerTimer = undefined;
      if (this.disposed || this.signaling !== 'have-local-offer') return;
      this.offers += 1;
      this.actions.retryOffer();
      // The same offer goes again, so the signalling state does not move: wait for this copy too.
      if (!this.offerTimer) this.scheduleOfferRetry(offerTimeout(this.offers, this.timing));
    }, ms);
  }

  private cancelIce(): void {
    this.iceTimer?.cancel();
    this.iceTimer = undefined;
  }

  private cancelOffer(): void {
    this.offerTimer?.cancel();
    this.offerTimer = undefined;
  }
}
