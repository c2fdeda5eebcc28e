import type { VoiceSignalPayload } from '@decentra/protocol';
import type { ClientClock, ClockTimer } from '../gateway.js';
import {
  analyse,
  browserMediaDevices,
  type LevelMeter,
  type MediaDevicesLike,
  type MicrophoneError,
  microphoneError,
  openMicrophone,
  stopTracks,
} from './media.js';
import { PeerLink, type VoicePeerState } from './peer.js';
import { SpeakingDetector } from './speaking.js';

/** How the engine reaches the other peers: the gateway's `voice_signal` op and event. */
export interface VoiceSignaller {
  send(to: string, payload: VoiceSignalPayload): void;
  /** Signals addressed to us; returns the unsubscribe function. */
  onSignal(listener: (from: string, payload: VoiceSignalPayload) => void): () => void;
}

export interface VoiceEngineOptions {
  selfId: string;
  signaller: VoiceSignaller;
  /** The app fetches `GET /api/voice/ice-servers`; asked once at the start, again for an ICE restart if older than 10 minutes. */
  iceServers: () => Promise<RTCIceServer[]>;
  /** `'relay'`: TURN only (hides the addresses; the TURN test). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  inputDeviceId?: string;
  outputDeviceId?: string;
  /** Unexpected failures (a description that cannot be applied, autoplay refused). Default: console.warn. */
  onError?: (message: string, error: unknown) => void;
  // Injectables with browser defaults, so that the logic reaches for no globals.
  mediaDevices?: MediaDevicesLike;
  createPeerConnection?: (config: RTCConfiguration, userId: string) => RTCPeerConnection;
  createAudioElement?: () => HTMLAudioElement;
  createAudioContext?: () => AudioContext;
  /** Delays: ICE restart grace and backoff, offer retries, the 250 ms level reads. */
  clock?: ClientClock;
  /** Calls the listener when the network changes; returns the unsubscribe. Default: window `online`. */
  onNetworkChange?: (listener: () => void) => () => void;
}

export type VoiceEngineStatus = 'idle' | 'starting' | 'live' | 'stopped';

export interface VoicePeerSnapshot {
  state: VoicePeerState;
  speaking: boolean;
}

export interface VoiceEngineSnapshot {
  status: VoiceEngineStatus;
  /** Why it stopped without having gone live. */
  error?: MicrophoneError;
  /** Peers hear silence: muted by the person, or deafened. */
  muted: boolean;
  deafened: boolean;
  selfSpeaking: boolean;
  peers: Readonly<Record<string, VoicePeerSnapshot>>;
}

/** How often levels are read for the speaking indicators. */
const LEVEL_INTERVAL_MS = 250;
/** Signals kept per peer that is wanted but whose connection is not made yet (ICE servers loading). */
const EARLY_SIGNALS = 64;
const ICE_SERVERS_MAX_AGE_MS = 10 * 60_000;

const browserClock: ClientClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

/** The window's `online` event, and a change of connection type where the browser tells it (Android). */
function browserNetworkChanges(listener: () => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  const connection: unknown = Reflect.get(navigator, 'connection');
  const typeOf = () => (connection instanceof EventTarget ? String(Reflect.get(connection, 'type')) : '');
  let type = typeOf();
  const onChange = () => {
    const next = typeOf();
    if (next === type) return;
    type = next;
    listener();
  };
  window.addEventListener('online', listener);
  if (connection instanceof EventTarget) connection.addEventListener('change', onChange);
  return () => {
    window.removeEventListener('online', listener);
    if (connection instanceof EventTarget) connection.removeEventListener('change', onChange);
  };
}

/**
 * Voice over a WebRTC mesh: the microphone, one RTCPeerConnection per peer (the app says who:
 * everyone else in the voice channel, or the other end of a call), their audio, mute/deafen,
 * devices, speaking indicators and recovery. Framework-agnostic: `subscribe` + `snapshot` (a new
 * object on every change, the same one in between) fit React's `useSyncExternalStore`.
 * One engine is one session: after `stop()` (or a failed `start()`) make a new one.
 */
export class VoiceEngine {
  private status: VoiceEngineStatus = 'idle';
  private error: MicrophoneError | undefined;
  private selfMuted = false;
  private deafened = false;
  private readonly selfDetector = new SpeakingDetector();
  private readonly links = new Map<string, PeerLink>();
  private wanted = new Set<string>();
  private readonly early = new Map<string, VoiceSignalPayload[]>();
  private iceServerList: RTCIceServer[] | undefined;
  private iceServersAt = 0;
  private iceServersLoading: Promise<RTCIceServer[]> | undefined;
  private stream: MediaStream | undefined;
  private track: MediaStreamTrack | undefined;
  private audioContext: AudioContext | undefined;
  private meter: LevelMeter | undefined;
  private inputDeviceId: string | undefined;
  private outputDeviceId: string | undefined;
  private readonly listeners = new Set<(snapshot: VoiceEngineSnapshot) => void>();
  private current: VoiceEngineSnapshot;
  private active = false;
  private readonly cleanups: (() => void)[] = [];
  private pollTimer: ClockTimer | undefined;
  private readonly clock: ClientClock;
  private readonly report: (message: string, error: unknown) => void;

  constructor(private readonly options: VoiceEngineOptions) {
    this.clock = options.clock ?? browserClock;
    this.report = options.onError ?? ((message, error) => console.warn(`[voice] ${message}`, error));
    this.inputDeviceId = options.inputDeviceId;
    this.outputDeviceId = options.outputDeviceId;
    this.current = this.build();
  }

  /**
   * Opens the microphone (echo cancellation, noise suppression, automatic gain) and goes live. Never
   * rejects: when the microphone cannot be had, the engine stops with `snapshot().error` saying why.
   */
  async start(): Promise<void> {
    if (this.status !== 'idle') return;
    this.status = 'starting';
    this.activate();
    this.emit();
    const deviceId = this.inputDeviceId;
    let stream: MediaStream;
    try {
      stream = await openMicrophone(this.options.mediaDevices ?? browserMediaDevices(), deviceId, false);
    } catch (err) {
      if (this.stopped()) return;
      this.error = microphoneError(err);
      this.stop();
      return;
    }
    if (this.stopped()) {
      stopTracks(stream);
      return;
    }
    if (!this.useMicrophone(stream)) return;
    this.status = 'live';
    this.emit();
    // Another device was chosen while this one was opening.
    const chosen = this.inputDeviceId;
    if (chosen !== deviceId && chosen !== undefined) {
      this.setInputDevice(chosen).catch((err: unknown) =>
        this.report('could not switch the microphone', err),
      );
    }
  }

  /** The people to connect to (ourselves ignored): new ones are connected, dropped ones closed at once. */
  setPeers(userIds: readonly string[]): void {
    if (this.stopped()) return;
    this.activate();
    const next = new Set(userIds.filter((id) => id !== this.options.selfId));
    for (const [id, link] of this.links) {
      if (next.has(id)) continue;
      link.close();
      this.links.delete(id);
    }
    for (const id of this.early.keys()) if (!next.has(id)) this.early.delete(id);
    this.wanted = next;
    this.connectWanted();
    this.emit();
  }

  /** Peers receive silence (the track is disabled, no renegotiation). Unmuting also undeafens. */
  setMuted(muted: boolean): void {
    this.selfMuted = muted;
    if (!muted && this.deafened) {
      this.deafened = false;
      for (const link of this.links.values()) link.setPlaybackMuted(false);
    }
    this.applySending();
    this.emit();
  }

  /** Silences every peer's playback, and mutes; undeafening restores the person's own mute choice. */
  setDeafened(deafened: boolean): void {
    this.deafened = deafened;
    for (const link of this.links.values()) link.setPlaybackMuted(deafened);
    this.applySending();
    this.emit();
  }

  /**
   * Switches to that microphone (`replaceTrack`: no renegotiation). Rejects, keeping the current
   * one, when it cannot be opened. Before `start()` it is the device `start()` will open.
   */
  async setInputDevice(deviceId: string): Promise<void> {
    if (this.status !== 'live') {
      this.inputDeviceId = deviceId;
      return;
    }
    const stream = await openMicrophone(this.options.mediaDevices ?? browserMediaDevices(), deviceId, true);
    if (this.status !== 'live') {
      stopTracks(stream);
      return;
    }
    this.inputDeviceId = deviceId;
    this.useMicrophone(stream);
  }

  /** Plays the peers on that output (`setSinkId`); where the browser cannot choose, nothing changes. */
  async setOutputDevice(deviceId: string): Promise<void> {
    this.outputDeviceId = deviceId;
    await Promise.all([...this.links.values()].map((link) => link.setOutputDevice(deviceId)));
  }

  /** Restarts ICE on every connection now (also done by itself on ICE failure and network change). */
  restartIce(): void {
    for (const link of this.links.values()) link.restartIce();
  }

  /** Closes every connection and releases the microphone. */
  stop(): void {
    if (this.stopped()) return;
    this.status = 'stopped';
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.wanted.clear();
    this.early.clear();
    this.releaseMicrophone();
    void this.audioContext?.close().catch(() => undefined);
    this.audioContext = undefined;
    this.pollTimer?.cancel();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.selfDetector.reset();
    this.emit();
  }

  /** Called with every new snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: VoiceEngineSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current state: the same object until something changes. */
  snapshot(): VoiceEngineSnapshot {
    return this.current;
  }

  /** A method, so that TypeScript does not narrow `status` across an await. */
  private stopped(): boolean {
    return this.status === 'stopped';
  }

  /** The first `start()` or `setPeers()`: listen for signals and network changes, load ICE servers. */
  private activate(): void {
    if (this.active) return;
    this.active = true;
    this.cleanups.push(this.options.signaller.onSignal((from, payload) => this.onSignal(from, payload)));
    const network = this.options.onNetworkChange ?? browserNetworkChanges;
    this.cleanups.push(network(() => this.restartIce()));
    this.iceServers()
      .then(() => this.connectWanted())
      .catch((err: unknown) => this.report('could not load the ICE servers', err));
    this.schedulePoll();
  }

  private onSignal(from: string, payload: VoiceSignalPayload): void {
    // Only the people the app named may reach us.
    if (this.stopped() || !this.wanted.has(from)) return;
    const link = this.links.get(from);
    if (link) {
      link.receive(payload);
      return;
    }
    const early = this.early.get(from) ?? [];
    if (early.length < EARLY_SIGNALS) early.push(payload);
    this.early.set(from, early);
  }

  /** ICE servers, fetched at most every 10 minutes; an answer that fails counts as none (LAN only). */
  private iceServers(): Promise<RTCIceServer[]> {
    if (this.iceServerList && this.clock.now() - this.iceServersAt < ICE_SERVERS_MAX_AGE_MS) {
      return Promise.resolve(this.iceServerList);
    }
    this.iceServersLoading ??= this.options
      .iceServers()
      .catch((err: unknown) => {
        this.report('could not fetch the ICE servers', err);
        return this.iceServerList ?? [];
      })
      .then((list) => {
        this.iceServerList = list;
        this.iceServersAt = this.clock.now();
        this.iceServersLoading = undefined;
        return list;
      });
    return this.iceServersLoading;
  }

  /** Opens a connection to every wanted peer that has none, once the ICE servers are known. */
  private connectWanted(): void {
    const iceServers = this.iceServerList;
    if (this.stopped() || !iceServers) return;
    let added = false;
    for (const userId of this.wanted) {
      if (this.links.has(userId)) continue;
      const link = this.connect(userId, iceServers);
      this.links.set(userId, link);
      added = true;
      for (const payload of this.early.get(userId) ?? []) link.receive(payload);
      this.early.delete(userId);
    }
    if (added) this.emit();
  }

  private connect(userId: string, iceServers: RTCIceServer[]): PeerLink {
    const config: RTCConfiguration = {
      iceServers,
      iceTransportPolicy: this.options.iceTransportPolicy ?? 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    };
    const create = this.options.createPeerConnection ?? ((c: RTCConfiguration) => new RTCPeerConnection(c));
    const link = new PeerLink({
      selfId: this.options.selfId,
      userId,
      pc: create(config, userId),
      clock: this.clock,
      send: (payload) => this.options.signaller.send(userId, payload),
      changed: () => this.emit(),
      report: this.report,
      createAudioElement: this.options.createAudioElement ?? (() => new Audio()),
      iceServers: () => this.iceServers(),
      playbackMuted: this.deafened,
      outputDeviceId: this.outputDeviceId,
    });
    if (this.track && this.stream) this.sendTrack(link, this.track, this.stream);
    return link;
  }

  /** Makes `stream` the microphone: sent to every peer, measured for `selfSpeaking`. */
  private useMicrophone(stream: MediaStream): boolean {
    const track = stream.getAudioTracks()[0];
    if (!track) {
      stopTracks(stream);
      this.error = 'microphone_missing';
      this.stop();
      return false;
    }
    this.releaseMicrophone();
    this.stream = stream;
    this.track = track;
    this.applySending();
    for (const link of this.links.values()) this.sendTrack(link, track, stream);
    try {
      this.audioContext ??= (this.options.createAudioContext ?? (() => new AudioContext()))();
      this.meter = analyse(this.audioContext, stream, LEVEL_INTERVAL_MS + 50);
    } catch (err) {
      // Voice works without the speaking indicator.
      this.report('could not measure the microphone level', err);
    }
    return true;
  }

  private sendTrack(link: PeerLink, track: MediaStreamTrack, stream: MediaStream): void {
    link.setTrack(track, stream).catch((err: unknown) => this.report('could not send the microphone', err));
  }

  private releaseMicrophone(): void {
    this.meter?.stop();
    this.meter = undefined;
    if (this.stream) stopTracks(this.stream);
    this.stream = undefined;
    this.track = undefined;
  }

  private applySending(): void {
    if (this.track) this.track.enabled = !(this.selfMuted || this.deafened);
  }

  private schedulePoll(): void {
    this.pollTimer = this.clock.setTimeout(() => void this.poll(), LEVEL_INTERVAL_MS);
  }

  /** Reads every level once; a change of a speaking flag makes a new snapshot. */
  private async poll(): Promise<void> {
    if (this.stopped()) return;
    let changed =
      this.meter && !this.selfMuted && !this.deafened
        ? this.selfDetector.update(this.meter.level())
        : this.selfDetector.reset();
    const reads = await Promise.all(
      [...this.links.values()].map((link) => link.readLevel().catch(() => false)),
    );
    if (this.stopped()) return;
    changed = reads.includes(true) || changed;
    if (changed) this.emit();
    this.schedulePoll();
  }

  private emit(): void {
    const next = this.build();
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    for (const listener of this.listeners) {
      try {
        listener(this.current);
      } catch (err) {
        this.report('a voice listener failed', err);
      }
    }
  }

  private build(): VoiceEngineSnapshot {
    const peers: Record<string, VoicePeerSnapshot> = {};
    for (const userId of this.wanted) {
      const link = this.links.get(userId);
      peers[userId] = { state: link?.state ?? 'connecting', speaking: link?.speaking ?? false };
    }
    return {
      status: this.status,
      ...(this.error ? { error: this.error } : {}),
      muted: this.selfMuted || this.deafened,
      deafened: this.deafened,
      selfSpeaking: this.selfDetector.speaking,
      peers,
    };
  }
}
