/**
 * Browser voice: a WebRTC mesh engine and the settings' helpers. A subpath of its own
 * (`@decentra/client/voice`), type-checked with the DOM library, so that the rest of the SDK (which
 * the terminal client runs on Node) is checked without it.
 */
export {
  VoiceEngine,
  type VoiceEngineOptions,
  type VoiceEngineSnapshot,
  type VoiceEngineStatus,
  type VoicePeerSnapshot,
  type VoiceSignaller,
} from './engine.js';
export {
  type AudioDevice,
  type AudioDevices,
  createLevelMeter,
  type LevelMeter,
  type LevelMeterOptions,
  listDevices,
  type MediaDevicesLike,
  type MicrophoneError,
  microphoneError,
} from './media.js';
export type { VoicePeerState } from './peer.js';
