import type { UserSettings } from '@decentra/protocol';

export type Sound = UserSettings['notifications']['callSound'];
/** A message sound is a short blip; a call sound is a ring pattern, repeated while it rings. */
export type SoundKind = 'message' | 'call';

/** One tone of a sound: frequency (Hz), start and length (s) within the sound, loudness 0..1. */
interface Tone {
  hz: number;
  at: number;
  length: number;
  gain: number;
}

type Tones = Record<Exclude<Sound, 'none'>, Tone[]>;

/** Message sounds: under a quarter of a second, so a busy channel never drones. */
const MESSAGE_TONES: Tones = {
  default: [
    { hz: 740, at: 0, length: 0.09, gain: 0.3 },
    { hz: 988, at: 0.08, length: 0.14, gain: 0.3 },
  ],
  chime: [
    { hz: 1319, at: 0, length: 0.16, gain: 0.2 },
    { hz: 1760, at: 0.07, length: 0.22, gain: 0.16 },
  ],
  bell: [
    { hz: 1047, at: 0, length: 0.3, gain: 0.25 },
    { hz: 2093, at: 0, length: 0.18, gain: 0.06 },
  ],
  pop: [{ hz: 620, at: 0, length: 0.06, gain: 0.35 }],
};

/** Call sounds: a ring pattern, played again every few seconds while the call rings. */
const CALL_TONES: Tones = {
  default: [
    { hz: 440, at: 0, length: 0.4, gain: 0.25 },
    { hz: 480, at: 0, length: 0.4, gain: 0.25 },
    { hz: 440, at: 0.6, length: 0.4, gain: 0.25 },
    { hz: 480, at: 0.6, length: 0.4, gain: 0.25 },
  ],
  chime: [
    { hz: 880, at: 0, length: 0.35, gain: 0.2 },
    { hz: 1175, at: 0.18, length: 0.45, gain: 0.2 },
    { hz: 880, at: 0.7, length: 0.35, gain: 0.2 },
    { hz: 1175, at: 0.88, length: 0.45, gain: 0.2 },
  ],
  bell: [
    { hz: 660, at: 0, length: 0.9, gain: 0.25 },
    { hz: 1320, at: 0, length: 0.6, gain: 0.08 },
    { hz: 660, at: 1.1, length: 0.9, gain: 0.25 },
  ],
  pop: [
    { hz: 520, at: 0, length: 0.08, gain: 0.3 },
    { hz: 520, at: 0.2, length: 0.08, gain: 0.3 },
    { hz: 520, at: 0.4, length: 0.08, gain: 0.3 },
  ],
};

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume().catch(() => undefined);
  return context;
}

/**
 * Plays a sound once at `volume` (0–100, through one GainNode), synthesised with Web Audio (no
 * files to fetch, nothing for the CSP to allow). Nothing for `none`, at volume 0, or where the page
 * has no audio.
 */
export function playSound(sound: Sound, kind: SoundKind, volume: number): void {
  if (sound === 'none' || volume <= 0) return;
  const ctx = audio();
  if (!ctx) return;
  const out = ctx.createGain();
  out.gain.value = Math.min(100, volume) / 100;
  out.connect(ctx.destination);
  const start = ctx.currentTime + 0.02;
  const tones = (kind === 'message' ? MESSAGE_TONES : CALL_TONES)[sound];
  for (const tone of tones) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = tone.hz;
    gain.gain.setValueAtTime(0, start + tone.at);
    gain.gain.linearRampToValueAtTime(tone.gain, start + tone.at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + tone.at + tone.length);
    osc.connect(gain).connect(out);
    osc.start(start + tone.at);
    osc.stop(start + tone.at + tone.length + 0.05);
  }
}

/** Plays a call sound every `periodMs` until the returned function is called (a ringing phone). */
export function loopSound(sound: Sound, volume: number, periodMs = 3_000): () => void {
  if (sound === 'none') return () => undefined;
  playSound(sound, 'call', volume);
  const timer = setInterval(() => playSound(sound, 'call', volume), periodMs);
  return () => clearInterval(timer);
}
