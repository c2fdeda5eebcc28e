import { levelFromRms } from './speaking.js';

/** What the voice code needs of `navigator.mediaDevices`. */
export type MediaDevicesLike = Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices'>;

/** Why the microphone could not be opened; the app words these. */
export type MicrophoneError =
  /** The person (or a browser policy) refused access. */
  | 'microphone_refused'
  /** There is no microphone, or the chosen one is gone. */
  | 'microphone_missing'
  /** The microphone is there but could not be started (another program holds it, a driver fault). */
  | 'microphone_busy'
  /** This page cannot ask for one: not a secure context (https or localhost), or no WebRTC. */
  | 'microphone_unavailable';

/** `navigator.mediaDevices`, which is missing outside secure contexts. */
export function browserMediaDevices(): MediaDevicesLike | undefined {
  if (typeof navigator === 'undefined') return undefined;
  const devices: MediaDevices | undefined = navigator.mediaDevices;
  return devices;
}

/**
 * Opens a microphone with the browser's voice processing on (echo cancellation, noise suppression,
 * automatic gain). `exact`: that device or a failure (a choice in settings); otherwise the device is a
 * preference and another one is taken if it is gone (a remembered choice at the start of a call).
 */
export async function openMicrophone(
  devices: MediaDevicesLike | undefined,
  deviceId: string | undefined,
  exact: boolean,
): Promise<MediaStream> {
  if (!devices) throw new DOMException('No media devices in this context', 'NotSupportedError');
  const audio: MediaTrackConstraints = {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    channelCount: 1,
  };
  if (deviceId) audio.deviceId = exact ? { exact: deviceId } : { ideal: deviceId };
  return devices.getUserMedia({ audio, video: false });
}

/** The reason for a failed `openMicrophone`, from the DOMException's name. */
export function microphoneError(err: unknown): MicrophoneError {
  const name = err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'microphone_refused';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'microphone_missing';
    case 'NotSupportedError':
    case 'TypeError':
      return 'microphone_unavailable';
    default:
      return 'microphone_busy';
  }
}

export function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

export interface AudioDevice {
  deviceId: string;
  /** Empty until the page has been allowed a microphone once (browsers hide the names before). */
  label: string;
  /** The same for the input and output of one physical device (a headset). */
  groupId: string;
}

export interface AudioDevices {
  inputs: AudioDevice[];
  /** Empty where the browser cannot choose an output (Safari; Firefox before it is asked). */
  outputs: AudioDevice[];
}

/** Microphones and speakers, for the settings' pickers. */
export async function listDevices(
  mediaDevices: MediaDevicesLike | undefined = browserMediaDevices(),
): Promise<AudioDevices> {
  const all = mediaDevices ? await mediaDevices.enumerateDevices() : [];
  const pick = (kind: MediaDeviceKind) =>
    all
      .filter((d) => d.kind === kind)
      .map((d) => ({ deviceId: d.deviceId, label: d.label, groupId: d.groupId }));
  return { inputs: pick('audioinput'), outputs: pick('audiooutput') };
}

/** A live input level, for a meter in settings (and the engine's own speaking indicator). */
export interface LevelMeter {
  /** The level over the last `windowMs`, 0..1 on a decibel scale (-60 dBFS → 0, full scale → 1). */
  level(): number;
  /** Disconnects it; a microphone it opened itself is released. */
  stop(): void;
}

export interface LevelMeterOptions {
  /** How much sound one `level()` covers; 50 ms by default (a meter that follows the voice). */
  windowMs?: number;
  mediaDevices?: MediaDevicesLike;
  createAudioContext?: () => AudioContext;
}

/**
 * A level meter on a stream (left running on `stop()`), or on a microphone it opens itself with the
 * voice processing a call uses (`deviceId`: that one exactly; none: the default one) and releases on
 * `stop()`.
 */
export async function createLevelMeter(
  source: MediaStream | { deviceId?: string },
  options: LevelMeterOptions = {},
): Promise<LevelMeter> {
  let stream: MediaStream;
  let own = false;
  if ('getTracks' in source) {
    stream = source;
  } else {
    stream = await openMicrophone(options.mediaDevices ?? browserMediaDevices(), source.deviceId, true);
    own = true;
  }
  let context: AudioContext;
  try {
    context = (options.createAudioContext ?? (() => new AudioContext()))();
  } catch (err) {
    if (own) stopTracks(stream);
    throw err;
  }
  const meter = analyse(context, stream, options.windowMs ?? 50);
  return {
    level: meter.level,
    stop() {
      meter.stop();
      void context.close().catch(() => undefined);
      if (own) stopTracks(stream);
    },
  };
}

/** An AnalyserNode on `stream` in `context`, sized to hold `windowMs` of samples. */
export function analyse(context: AudioContext, stream: MediaStream, windowMs: number): LevelMeter {
  // Without a user gesture a new context may start suspended; it resumes once allowed.
  if (context.state === 'suspended') void context.resume().catch(() => undefined);
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  const wanted = (windowMs / 1000) * context.sampleRate;
  analyser.fftSize = Math.min(32_768, Math.max(32, 2 ** Math.ceil(Math.log2(Math.max(1, wanted)))));
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  return {
    level() {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      return levelFromRms(Math.sqrt(sum / samples.length));
    },
    stop() {
      source.disconnect();
      analyser.disconnect();
    },
  };
}
