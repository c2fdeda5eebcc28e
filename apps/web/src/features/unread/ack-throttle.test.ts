import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_INTERVAL_MS, AckThrottle } from './ack-throttle';

describe('AckThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('acks the first of a burst at once and folds the rest into one a second later', () => {
    const sent: Array<[string, boolean]> = [];
    const acks = new AckThrottle((id, leaving) => sent.push([id, leaving]));
    acks.request('a');
    expect(sent).toEqual([['a', false]]);
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(40);
      acks.request('a');
    }
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(ACK_INTERVAL_MS);
    expect(sent).toEqual([
      ['a', false],
      ['a', false],
    ]);
  });

  it('keeps channels apart', () => {
    const sent: string[] = [];
    const acks = new AckThrottle((id) => sent.push(id));
    acks.request('a');
    acks.request('b');
    acks.request('a');
    expect(sent).toEqual(['a', 'b']);
  });

  it('sends a waiting ack at once when the channel is left, and nothing when none waits', () => {
    const sent: Array<[string, boolean]> = [];
    const acks = new AckThrottle((id, leaving) => sent.push([id, leaving]));
    acks.flush('a');
    acks.request('a');
    acks.request('a');
    acks.flush('a');
    expect(sent).toEqual([
      ['a', false],
      ['a', true],
    ]);
    vi.advanceTimersByTime(ACK_INTERVAL_MS * 2);
    expect(sent).toHaveLength(2);
  });
});
