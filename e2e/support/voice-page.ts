/**
 * The page of the voice engine's browser test (`voice-engine.e2e.test.ts` bundles it with esbuild):
 * one VoiceEngine per page, with the browser's real WebRTC, microphone (Chromium's fake one) and
 * audio elements; only signalling goes through the test (`window.voiceSend`, a playwright binding,
 * to the other pages' `voice.receive`). The test drives it and reads it through `window.voice`.
 */
import {
  createLevelMeter,
  listDevices,
  VoiceEngine,
  type VoiceEngineSnapshot,
  type VoiceSignaller,
} from '@decentra/client/voice';
import type { VoiceSignalPayload } from '@decentra/protocol';

declare global {
  interface Window {
    voice: VoiceHarness;
    /** The test's relay to the other pages. */
    voiceSend(to: string, payload: VoiceSignalPayload): Promise<void>;
  }
}

/** What a page has received from one peer so far (its inbound audio RTP stream). */
export interface Received {
  bytesReceived: number;
  packetsReceived: number;
  /** Sum of squared levels × seconds; its growth over `totalSamplesDuration` is the mean square level. */
  totalAudioEnergy: number;
  totalSamplesDuration: number;
}

export interface Connection {
  connectionState: RTCPeerConnectionState;
  signalingState: RTCSignalingState;
  /** The ICE username fragments of the descriptions in use (a restart changes them). */
  localUfrag: string | undefined;
  remoteUfrag: string | undefined;
  /** The Opus fmtp lines of the remote description: what this side's encoder was asked for. */
  remoteOpusFmtp: string[];
  received: Received | undefined;
}

export interface VoiceHarness {
  create(selfId: string, options?: { refuseMicrophone?: boolean }): void;
  start(): Promise<void>;
  setPeers(userIds: string[]): void;
  setMuted(muted: boolean): void;
  setDeafened(deafened: boolean): void;
  restartIce(): void;
  stop(): void;
  snapshot(): VoiceEngineSnapshot;
  receive(from: string, payload: VoiceSignalPayload): void;
  /** The newest connection made for that peer, or undefined if none was made. */
  connection(userId: string): Promise<Connection | undefined>;
  /** How many connections were made for that peer. */
  connectionCount(userId: string): number;
  /** readyState of every microphone track the engine was given. */
  microphoneTracks(): MediaStreamTrackState[];
  /** The remote audio elements: muted (deafened), playing, and with a stream. */
  audioElements(): { muted: boolean; paused: boolean; hasStream: boolean }[];
  /** What the engine reported through onError. */
  errors(): string[];
  /** The loudest level a settings level meter on the default microphone shows within `ms`. */
  meterPeak(ms: number): Promise<number>;
  audioInputs(): Promise<number>;
}

let engine: VoiceEngine | undefined;
const listeners = new Set<(from: string, payload: VoiceSignalPayload) => void>();
const connections = new Map<string, RTCPeerConnection[]>();
const elements: HTMLAudioElement[] = [];
const tracks: MediaStreamTrack[] = [];
const reported: string[] = [];

const signaller: VoiceSignaller = {
  send: (to, payload) => void window.voiceSend(to, payload),
  onSignal(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** The real microphone (Chromium's fake device), remembering every track it hands out. */
const recordingDevices = {
  async getUserMedia(constraints?: MediaStreamConstraints) {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    tracks.push(...stream.getTracks());
    return stream;
  },
  enumerateDevices: () => navigator.mediaDevices.enumerateDevices(),
};

const refusingDevices = {
  getUserMedia: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')),
  enumerateDevices: () => navigator.mediaDevices.enumerateDevices(),
};

function need(): VoiceEngine {
  if (!engine) throw new Error('no engine: call voice.create first');
  return engine;
}

function ufrag(sdp: string | undefined): string | undefined {
  return /^a=ice-ufrag:(.+)$/m.exec(sdp ?? '')?.[1]?.trim();
}

function num(entry: Record<string, unknown>, key: string): number {
  const value = entry[key];
  return typeof value === 'number' ? value : 0;
}

const harness: VoiceHarness = {
  create(selfId, options = {}) {
    engine = new VoiceEngine({
      selfId,
      signaller,
      iceServers: async () => [],
      mediaDevices: options.refuseMicrophone ? refusingDevices : recordingDevices,
      createPeerConnection(config, userId) {
        const pc = new RTCPeerConnection(config);
        connections.set(userId, [...(connections.get(userId) ?? []), pc]);
        return pc;
      },
      createAudioElement() {
        const audio = new Audio();
        elements.push(audio);
        return audio;
      },
      onError: (message, error) => reported.push(`${message}: ${String(error)}`),
    });
  },
  start: () => need().start(),
  setPeers: (userIds) => need().setPeers(userIds),
  setMuted: (muted) => need().setMuted(muted),
  setDeafened: (deafened) => need().setDeafened(deafened),
  restartIce: () => need().restartIce(),
  stop: () => need().stop(),
  snapshot: () => need().snapshot(),
  receive(from, payload) {
    for (const listener of listeners) listener(from, payload);
  },
  async connection(userId) {
    const pc = connections.get(userId)?.at(-1);
    if (!pc) return undefined;
    let received: Received | undefined;
    if (pc.signalingState !== 'closed') {
      (await pc.getStats()).forEach((entry: Record<string, unknown>) => {
        if (entry.type !== 'inbound-rtp' || entry.kind !== 'audio') return;
        received = {
          bytesReceived: num(entry, 'bytesReceived'),
          packetsReceived: num(entry, 'packetsReceived'),
          totalAudioEnergy: num(entry, 'totalAudioEnergy'),
          totalSamplesDuration: num(entry, 'totalSamplesDuration'),
        };
      });
    }
    const remoteSdp = pc.remoteDescription?.sdp ?? '';
    const opus = [...remoteSdp.matchAll(/^a=rtpmap:(\d+) opus\//gim)].map((m) => m[1]);
    return {
      connectionState: pc.connectionState,
      signalingState: pc.signalingState,
      localUfrag: ufrag(pc.localDescription?.sdp),
      remoteUfrag: ufrag(remoteSdp),
      remoteOpusFmtp: remoteSdp
        .split(/\r?\n/)
        .filter((line) => opus.some((pt) => line.startsWith(`a=fmtp:${pt} `))),
      received,
    };
  },
  connectionCount: (userId) => connections.get(userId)?.length ?? 0,
  microphoneTracks: () => tracks.map((t) => t.readyState),
  audioElements: () =>
    elements.map((a) => ({ muted: a.muted, paused: a.paused, hasStream: a.srcObject !== null })),
  errors: () => [...reported],
  async meterPeak(ms) {
    const meter = await createLevelMeter({}, { mediaDevices: recordingDevices });
    let peak = 0;
    const until = performance.now() + ms;
    while (performance.now() < until && peak < 0.5) {
      peak = Math.max(peak, meter.level());
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    meter.stop();
    return peak;
  },
  audioInputs: async () => (await listDevices()).inputs.length,
};

window.voice = harness;
document.querySelector('#join')?.addEventListener('click', () => void harness.start());
