import { describe, expect, it } from 'vitest';
import { levelBetween, levelFromRms, SpeakingDetector } from './speaking.js';

describe('levelFromRms', () => {
  it('maps -60..0 dBFS onto 0..1 and clamps outside', () => {
    expect(levelFromRms(1)).toBe(1);
    expect(levelFromRms(0.1)).toBeCloseTo(2 / 3); // -20 dBFS
    expect(levelFromRms(0.001)).toBeCloseTo(0); // -60 dBFS
    expect(levelFromRms(0.0001)).toBe(0);
    expect(levelFromRms(0)).toBe(0);
    expect(levelFromRms(Number.NaN)).toBe(0);
    expect(levelFromRms(3)).toBe(1);
  });
});

describe('levelBetween', () => {
  it('takes the mean level of everything between two reads from the energy counters', () => {
    // 0.5 s of samples at level 0.1: energy 0.1² × 0.5.
    const previous = { totalAudioEnergy: 1, totalSamplesDuration: 10, audioLevel: 0 };
    const current = { totalAudioEnergy: 1 + 0.01 * 0.5, totalSamplesDuration: 10.5, audioLevel: 0 };
    expect(levelBetween(previous, current)).toBeCloseTo(levelFromRms(0.1));
  });

  it('is 0 for silence between the reads, whatever the last snapshot level said', () => {
    const previous = { totalAudioEnergy: 2, totalSamplesDuration: 10 };
    expect(
      levelBetween(previous, { totalAudioEnergy: 2, totalSamplesDuration: 10.25, audioLevel: 0.5 }),
    ).toBe(0);
  });

  it('falls back to audioLevel on the first read, without counters, or when no samples came', () => {
    expect(
      levelBetween(undefined, { audioLevel: 0.1, totalAudioEnergy: 5, totalSamplesDuration: 9 }),
    ).toBeCloseTo(levelFromRms(0.1));
    expect(levelBetween({ audioLevel: 0 }, { audioLevel: 0.1 })).toBeCloseTo(levelFromRms(0.1));
    const same = { totalAudioEnergy: 1, totalSamplesDuration: 3, audioLevel: 0.1 };
    expect(levelBetween(same, same)).toBeCloseTo(levelFromRms(0.1));
    expect(levelBetween(undefined, {})).toBe(0);
  });
});

describe('SpeakingDetector', () => {
  const feed = (detector: SpeakingDetector, levels: number[]) =>
    levels.map((level) => {
      detector.update(level);
      return detector.speaking;
    });

  it('starts at the upper threshold at once and ends only after three reads under the lower one', () => {
    const detector = new SpeakingDetector({ start: 0.5, stop: 0.3, hold: 3 });
    expect(feed(detector, [0.1, 0.49, 0.5, 0.2, 0.2, 0.2, 0.1])).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('does not flicker between words or on a level between the thresholds', () => {
    const detector = new SpeakingDetector({ start: 0.5, stop: 0.3, hold: 3 });
    // A pause of two reads, then a level that hovers between the thresholds.
    expect(feed(detector, [0.7, 0.1, 0.1, 0.6, 0.4, 0.4, 0.4, 0.4])).toEqual(Array(8).fill(true));
    // Below the lower threshold: quiet reads must be consecutive.
    expect(feed(detector, [0.1, 0.1, 0.4, 0.1, 0.1, 0.1])).toEqual([true, true, true, true, true, false]);
  });

  it('says when the state changed, and reset turns it off', () => {
    const detector = new SpeakingDetector();
    expect(detector.update(0.9)).toBe(true);
    expect(detector.update(0.9)).toBe(false);
    expect(detector.reset()).toBe(true);
    expect(detector.speaking).toBe(false);
    expect(detector.reset()).toBe(false);
  });
});
