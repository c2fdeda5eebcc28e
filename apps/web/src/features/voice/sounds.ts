import type { UserSettings } from '@decentra/protocol';

type Sound = UserSettings['notifications']['callSound'];

/** One tone of a sound: frequency (Hz), start and length (s) within the sound, loudness 0..1. */
interface Tone {
  hz: number;
  at: number;
  length: number;
  gain: number;
}

/** The sounds, synthesised (no audio files to fetch, nothing for the CSP to allow). */
const SOUNDS: Record<Exclude<Sound, 'none'>, Tone[]> = {
  default: [
    { hz: 440, at: 0, length: 0.4, gain: 0.25 },
    { hz: 480, at: 0, length: 0.4, gain: 0.25 },
    { hz: 440, at: 0.6, length: 0.4, gain: 0.25 },
    { hz: 480, at: 0.6, length: 0.4, gain: 0.25 },
  ],
  chime: [
    { hz: 880, at: 0, length: 0.35, gain: 0.2 },
    { hz: 1175, at: 0.18, length: 0.45, gain: 0.2 },
  ],
  bell: [
    { hz: 660, at: 0, length: 0.9, gain: 0.25 },
    { hz: 1320, at: 0, length: 0.6, gain: 0.08 },
  ],
  pop: [{ hz: 520, at: 0, length: 0.08, gain: 0.3 }],
};

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume().catch(() => undefined);
  return context;
}

/** Plays a sound once (nothing for `none`, or where the page may not play audio yet). */
export function playSound(sound: Sound): void {
  if (sound === 'none') return;
  const ctx = audio();
  if (!ctx) return;
  const start = ctx.currentTime + 0.02;
  for (const tone of SOUNDS[sound]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = tone.hz;
    gain.gain.setValueAtTime(0, start + tone.at);
    gain.gain.linearRampToValueAtTime(tone.gain, start + tone.at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + tone.at + tone.length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start + tone.at);
    osc.stop(start + tone.at + tone.length + 0.05);
  }
}

/** Plays a sound every `periodMs` until the returned function is called (a ringing phone). */
export function loopSound(sound: Sound, periodMs = 3_000): () => void {
  if (sound === 'none') return () => undefined;
  playSound(sound);
  const timer = setInterval(() => playSound(sound), periodMs);
  return () => clearInterval(timer);
}
