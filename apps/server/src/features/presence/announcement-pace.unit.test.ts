import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../test/manual-clock.js';
import { AnnouncementPace } from './announcement-pace.js';

/** Whether `p` has settled by the time the promise jobs queued now have run. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('announcement pace', () => {
  it('lets a group go at once after a quiet spell, and the next one only once the window has passed', async () => {
    const clock = new ManualClock();
    const pace = new AnnouncementPace(250, clock);
    expect(await settled(pace.turn())).toBe(true);
    clock.advance(100);
    const second = pace.turn();
    expect(await settled(second)).toBe(false);
    clock.advance(149);
    expect(await settled(second)).toBe(false);
    clock.advance(1);
    expect(await settled(second)).toBe(true);
    // Started at 250: the window runs from there.
    clock.advance(300);
    expect(await settled(pace.turn())).toBe(true);
  });

  it('lets a waiting group go at once when released', async () => {
    const clock = new ManualClock();
    const pace = new AnnouncementPace(250, clock);
    await pace.turn();
    const next = pace.turn();
    expect(await settled(next)).toBe(false);
    pace.release();
    expect(await settled(next)).toBe(true);
  });

  it('never waits with no window', async () => {
    const pace = new AnnouncementPace(0, new ManualClock());
    for (let i = 0; i < 3; i++) expect(await settled(pace.turn())).toBe(true);
  });
});
