import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { deadline } from './deadline.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Resolves with the signal's abort reason; only the listener refers to the signal. */
function abortedReason(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );
}

describe('deadline', () => {
  it('fires even when garbage is collected before it, with nothing but its listener holding it', async () => {
    const parent = new AbortController();
    const reason = abortedReason(deadline(50, parent.signal).signal);
    collectGarbage();
    await new Promise((r) => setImmediate(r));
    collectGarbage();
    expect(((await reason) as DOMException).name).toBe('TimeoutError');
  });

  it('aborts with its parent, and is cleared without firing', async () => {
    const parent = new AbortController();
    const { signal } = deadline(60_000, parent.signal);
    const reason = abortedReason(signal);
    parent.abort(new Error('shutting down'));
    expect(((await reason) as Error).message).toBe('shutting down');
    const already = new AbortController();
    already.abort('gone');
    expect(deadline(60_000, already.signal).signal.reason).toBe('gone');
  });

  it('is cleared without firing', async () => {
    const cleared = deadline(1);
    cleared.clear();
    // A later deadline fires after the cleared one's time: had that fired, it would be aborted.
    await abortedReason(deadline(20).signal);
    expect(cleared.signal.aborted).toBe(false);
  });
});
