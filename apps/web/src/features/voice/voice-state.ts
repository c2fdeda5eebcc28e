import type { VoiceEngineSnapshot } from '@decentra/client/voice';
import { create } from 'zustand';

/** Where my microphone goes: a voice channel, or a call with a friend. */
export type VoiceRoom = { kind: 'channel'; channelId: string } | { kind: 'call'; callId: string };

export interface LocalVoiceState {
  room: VoiceRoom | null;
  muted: boolean;
  deafened: boolean;
  /** The media engine's view: connection per peer, who is speaking; null while no audio runs. */
  media: VoiceEngineSnapshot | null;
  /** A refusal or failure to show (microphone blocked, channel full). */
  error: string | null;
}

/** Whether someone in my own voice channel is speaking now (muted people never are). */
export function isSpeaking(
  media: VoiceEngineSnapshot | null,
  member: { userId: string; muted: boolean },
  meId: string | undefined,
): boolean {
  if (media === null || member.muted) return false;
  return member.userId === meId ? media.selfSpeaking : (media.peers[member.userId]?.speaking ?? false);
}

/** This tab's voice: what the server does not know (devices, the media) or knows per session. */
export const useLocalVoice = create<LocalVoiceState>(() => ({
  room: null,
  muted: false,
  deafened: false,
  media: null,
  error: null,
}));
