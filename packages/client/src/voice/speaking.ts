/** The quietest sound a level shows: -60 dBFS is 0, full scale (0 dBFS) is 1. */
const FLOOR_DB = -60;

/**
 * A level for people, 0..1 on a decibel scale, from a root-mean-square sample amplitude (0..1).
 * Speech sits around 0.4-0.8; silence (a muted peer, a muted mic) is 0.
 */
export function levelFromRms(rms: number): number {
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(Math.min(rms, 1));
  return Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB));
}

/** The audio counters of an `inbound-rtp` (or `media-source`) stats entry, as far as they are there. */
export interface AudioCounters {
  audioLevel?: number | undefined;
  totalAudioEnergy?: number | undefined;
  totalSamplesDuration?: number | undefined;
}

/**
 * The level of what arrived between two stats reads. The energy counters cover every sample in
 * between (energy is the sum of squared levels × duration, so their ratio is the mean square);
 * `audioLevel` alone is a snapshot of the last few tens of milliseconds and misses short sounds,
 * so it is the fallback where the counters are missing or did not move.
 */
export function levelBetween(previous: AudioCounters | undefined, current: AudioCounters): number {
  const energy = (current.totalAudioEnergy ?? Number.NaN) - (previous?.totalAudioEnergy ?? Number.NaN);
  const duration =
    (current.totalSamplesDuration ?? Number.NaN) - (previous?.totalSamplesDuration ?? Number.NaN);
  if (duration > 0 && energy >= 0) return levelFromRms(Math.sqrt(energy / duration));
  return levelFromRms(current.audioLevel ?? 0);
}

export interface SpeakingThresholds {
  /** A level at or above this starts speaking at once. */
  start: number;
  /** Speaking ends after `hold` consecutive levels below this. */
  stop: number;
  hold: number;
}

/** At a read every 250 ms: on at about -33 dBFS, off after ~750 ms below about -39 dBFS. */
export const SPEAKING_THRESHOLDS: SpeakingThresholds = { start: 0.45, stop: 0.35, hold: 3 };

/**
 * Speaking or not, from levels read at a steady pace, with hysteresis: the higher threshold starts
 * it, the lower one must hold for a few reads to end it, so the indicator does not flicker between
 * words or on a level that hovers near one threshold.
 */
export class SpeakingDetector {
  private on = false;
  private quiet = 0;

  constructor(private readonly thresholds: SpeakingThresholds = SPEAKING_THRESHOLDS) {}

  get speaking(): boolean {
    return this.on;
  }

  /** Feeds one level (0..1); answers whether the speaking state changed. */
  update(level: number): boolean {
    const was = this.on;
    if (level >= this.thresholds.start) {
      this.on = true;
      this.quiet = 0;
    } else if (this.on) {
      this.quiet = level < this.thresholds.stop ? this.quiet + 1 : 0;
      if (this.quiet >= this.thresholds.hold) this.on = false;
    }
    return this.on !== was;
  }

  /** Not speaking, now (muted, gone). Answers whether that changed anything. */
  reset(): boolean {
    const was = this.on;
    this.on = false;
    this.quiet = 0;
    return was;
  }
}
