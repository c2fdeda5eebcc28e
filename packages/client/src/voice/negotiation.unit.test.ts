import { describe, expect, it } from 'vitest';
import type { ClientClock, ClockTimer } from '../gateway.js';
import {
  candidateAction,
  candidateFits,
  iceRestartDelay,
  isPolite,
  offerTimeout,
  Recovery,
} from './negotiation.js';

/** Time moved by hand. */
class ManualClock implements ClientClock {
  private current = 0;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer = { at: this.current + ms, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.current = due.at;
      due.fn();
    }
    this.current = until;
  }
}

function recovery() {
  const clock = new ManualClock();
  const calls: string[] = [];
  const r = new Recovery(clock, {
    restartIce: () => calls.push(`restart@${clock.now()}`),
    retryOffer: () => calls.push(`offer@${clock.now()}`),
  });
  return { clock, calls, r };
}

describe('isPolite', () => {
  it('makes exactly one of two peers polite: the smaller id, compared as integers', () => {
    expect(isPolite('9', '10')).toBe(true);
    expect(isPolite('10', '9')).toBe(false);
    const a = '7340032000000000001';
    const b = '7340032000000000002'; // beyond 2^53: equal as numbers, not as BigInt
    expect(isPolite(a, b)).toBe(true);
    expect(isPolite(b, a)).toBe(false);
  });
});

describe('candidateAction', () => {
  it('queues candidates that come before the remote description, drops those of an ignored offer', () => {
    expect(candidateAction({ hasRemoteDescription: false, ignoringOffer: false })).toBe('queue');
    expect(candidateAction({ hasRemoteDescription: true, ignoringOffer: false })).toBe('add');
    expect(candidateAction({ hasRemoteDescription: false, ignoringOffer: true })).toBe('drop');
    expect(candidateAction({ hasRemoteDescription: true, ignoringOffer: true })).toBe('drop');
  });
});

describe('candidateFits', () => {
  const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=ice-ufrag:Ab3d', 'a=ice-pwd:x', ''].join('\r\n');

  it('keeps candidates of the ICE session in force and those that do not say', () => {
    expect(candidateFits('Ab3d', sdp)).toBe(true);
    expect(candidateFits(null, sdp)).toBe(true);
    expect(candidateFits(undefined, '')).toBe(true);
  });

  it('drops those of an earlier session (before a restart, or of a rolled-back offer)', () => {
    expect(candidateFits('Zz99', sdp)).toBe(false);
    expect(candidateFits('Ab3', sdp)).toBe(false);
    expect(candidateFits('Ab3d', '')).toBe(false);
  });
});

describe('delays', () => {
  it('backs off ICE restarts from 0 to 30 s and offers from 5 s to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => iceRestartDelay(n))).toEqual([
      0, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect([0, 1, 2, 3, 8].map((n) => offerTimeout(n))).toEqual([5000, 10000, 20000, 30000, 30000]);
  });
});

describe('Recovery: ICE', () => {
  it('restarts at once when ICE fails, then with backoff while it stays failed', () => {
    const { clock, calls, r } = recovery();
    r.iceState('connected');
    r.iceState('failed');
    expect(calls).toEqual(['restart@0']);
    clock.advance(2000);
    expect(calls).toEqual(['restart@0', 'restart@2000']);
    clock.advance(4000);
    expect(calls).toEqual(['restart@0', 'restart@2000', 'restart@6000']);
  });

  it('waits while a restart is checking, and backs off if it fails again; connected resets it', () => {
    const { clock, calls, r } = recovery();
    r.iceState('failed');
    r.iceState('checking');
    clock.advance(60_000);
    expect(calls).toEqual(['restart@0']);
    r.iceState('failed');
    expect(calls).toEqual(['restart@0']); // the second restart of the spell waits 2 s
    clock.advance(2000);
    expect(calls).toEqual(['restart@0', 'restart@62000']);
    r.iceState('connected');
    r.iceState('failed');
    expect(calls).toEqual(['restart@0', 'restart@62000', 'restart@62000']);
  });

  it('gives disconnected a few seconds to recover by itself', () => {
    const { clock, calls, r } = recovery();
    r.iceState('connected');
    r.iceState('disconnected');
    clock.advance(2999);
    r.iceState('connected');
    clock.advance(10_000);
    expect(calls).toEqual([]);
    r.iceState('disconnected');
    clock.advance(3000);
    expect(calls).toEqual(['restart@15999']);
  });

  it('restarts at once when asked (network change) and starts the backoff over', () => {
    const { clock, calls, r } = recovery();
    r.iceState('failed');
    r.restartNow();
    expect(calls).toEqual(['restart@0', 'restart@0']);
    r.iceState('failed');
    expect(calls).toHaveLength(3);
    clock.advance(1);
    expect(calls).toHaveLength(3);
  });

  it('does nothing once disposed or closed', () => {
    const { clock, calls, r } = recovery();
    r.iceState('disconnected');
    r.iceState('closed');
    r.iceState('failed');
    r.restartNow();
    clock.advance(60_000);
    expect(calls).toEqual([]);
  });
});

describe('Recovery: offers', () => {
  it('offers again when an offer stays unanswered, with backoff', () => {
    const { clock, calls, r } = recovery();
    r.signalingState('have-local-offer');
    clock.advance(4999);
    expect(calls).toEqual([]);
    clock.advance(1);
    expect(calls).toEqual(['offer@5000']);
    // The retry sends the same offer again (the state stays have-local-offer): the next in 10 s.
    clock.advance(10_000);
    expect(calls).toEqual(['offer@5000', 'offer@15000']);
    clock.advance(20_000);
    expect(calls).toEqual(['offer@5000', 'offer@15000', 'offer@35000']);
  });

  it('stops waiting once the answer is in, and an applied description resets the backoff', () => {
    const { clock, calls, r } = recovery();
    r.signalingState('have-local-offer');
    clock.advance(5000);
    r.signalingState('stable');
    r.signalingState('have-local-offer');
    r.negotiated();
    r.signalingState('stable');
    clock.advance(60_000);
    expect(calls).toEqual(['offer@5000']);
    r.signalingState('have-local-offer');
    clock.advance(5000);
    expect(calls).toEqual(['offer@5000', 'offer@70000']);
  });

  it('after ignoring a colliding offer, offers again after 3 s if no answer came', () => {
    const { clock, calls, r } = recovery();
    r.signalingState('have-local-offer');
    clock.advance(1000);
    r.collision();
    clock.advance(3000);
    expect(calls).toEqual(['offer@4000']);
  });

  it('a collision when not offering changes nothing', () => {
    const { clock, calls, r } = recovery();
    r.collision();
    clock.advance(60_000);
    expect(calls).toEqual([]);
  });
});
