import type { VoiceSignalPayload } from '@decentra/protocol';
import type { ClientClock } from '../gateway.js';
import { candidateAction, candidateFits, isPolite, Recovery } from './negotiation.js';
import { withOpusParameters } from './sdp.js';
import { type AudioCounters, levelBetween, SpeakingDetector } from './speaking.js';

export type VoicePeerState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

type Description = Extract<VoiceSignalPayload, { description: unknown }>['description'];
type Candidate = Extract<VoiceSignalPayload, { candidate: unknown }>['candidate'];

export interface PeerLinkDeps {
  selfId: string;
  userId: string;
  pc: RTCPeerConnection;
  clock: ClientClock;
  send(payload: VoiceSignalPayload): void;
  /** The state or speaking flag changed. */
  changed(): void;
  report(message: string, error: unknown): void;
  createAudioElement(): HTMLAudioElement;
  /** Current ICE servers (refetched when old) for an ICE restart. */
  iceServers(): Promise<RTCIceServer[]>;
  playbackMuted: boolean;
  outputDeviceId: string | undefined;
}

/**
 * One peer's connection: perfect negotiation (W3C/MDN: the polite peer gives way on a collision,
 * the impolite one ignores the colliding offer; `setLocalDescription()` without arguments, implicit
 * rollback), signals handled one at a time in arrival order, candidates kept until there is a remote
 * description, recovery (ICE restarts, offers made again), the remote audio's element and its level.
 */
export class PeerLink {
  state: VoicePeerState = 'connecting';
  private readonly pc: RTCPeerConnection;
  private readonly polite: boolean;
  private readonly recovery: Recovery;
  private readonly detector = new SpeakingDetector();
  private makingOffer = false;
  private ignoreOffer = false;
  private pendingCandidates: Candidate[] = [];
  private signals: Promise<void> = Promise.resolve();
  private everConnected = false;
  private closed = false;
  private sender: RTCRtpSender | undefined;
  private audio: HTMLAudioElement | undefined;
  private counters: AudioCounters | undefined;
  private playbackMuted: boolean;
  private outputDeviceId: string | undefined;

  constructor(private readonly deps: PeerLinkDeps) {
    const { pc } = deps;
    this.pc = pc;
    this.polite = isPolite(deps.selfId, deps.userId);
    this.playbackMuted = deps.playbackMuted;
    this.outputDeviceId = deps.outputDeviceId;
    this.recovery = new Recovery(deps.clock, {
      restartIce: () => void this.restartIceFresh(),
      retryOffer: () => this.enqueue(() => this.retryOffer()),
    });
    pc.addEventListener('negotiationneeded', () => void this.makeOffer());
    pc.addEventListener('icecandidate', ({ candidate }) => {
      if (this.closed) return;
      this.deps.send({
        candidate: candidate
          ? {
              candidate: candidate.candidate,
              sdpMid: candidate.sdpMid,
              sdpMLineIndex: candidate.sdpMLineIndex,
              usernameFragment: candidate.usernameFragment,
            }
          : null,
      });
    });
    pc.addEventListener('iceconnectionstatechange', () => {
      this.recovery.iceState(pc.iceConnectionState);
      this.updateState();
    });
    pc.addEventListener('connectionstatechange', () => this.updateState());
    pc.addEventListener('signalingstatechange', () => this.recovery.signalingState(pc.signalingState));
    pc.addEventListener('track', (event) => this.play(event.streams[0] ?? new MediaStream([event.track])));
  }

  get speaking(): boolean {
    return this.detector.speaking;
  }

  /** Sends `track` (the microphone): the first one is added (a negotiation), later ones replace it. */
  async setTrack(track: MediaStreamTrack, stream: MediaStream): Promise<void> {
    if (this.closed) return;
    if (this.sender) await this.sender.replaceTrack(track);
    else this.sender = this.pc.addTrack(track, stream);
  }

  /** A signal from this peer. */
  receive(payload: VoiceSignalPayload): void {
    this.enqueue(() =>
      'description' in payload
        ? this.onDescription(payload.description)
        : this.onCandidate(payload.candidate),
    );
  }

  /** Restart ICE now (the app asked, or the network changed). */
  restartIce(): void {
    this.recovery.restartNow();
  }

  setPlaybackMuted(muted: boolean): void {
    this.playbackMuted = muted;
    if (this.audio) this.audio.muted = muted;
  }

  async setOutputDevice(deviceId: string): Promise<void> {
    this.outputDeviceId = deviceId;
    if (this.audio) await setSink(this.audio, deviceId);
  }

  /** Reads the received audio's level; answers whether `speaking` changed. */
  async readLevel(): Promise<boolean> {
    if (this.closed) return false;
    const report = await this.pc.getStats();
    let counters: AudioCounters | undefined;
    report.forEach((entry: unknown) => {
      if (stat(entry, 'type') === 'inbound-rtp' && stat(entry, 'kind') === 'audio') {
        counters = {
          audioLevel: numberStat(entry, 'audioLevel'),
          totalAudioEnergy: numberStat(entry, 'totalAudioEnergy'),
          totalSamplesDuration: numberStat(entry, 'totalSamplesDuration'),
        };
      }
    });
    if (this.closed || !counters) return false;
    const level = levelBetween(this.counters, counters);
    this.counters = counters;
    return this.detector.update(level);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.recovery.dispose();
    this.pc.close();
    if (this.audio) {
      this.audio.pause();
      this.audio.srcObject = null;
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.signals = this.signals
      .then(() => (this.closed ? undefined : step()))
      .catch((err: unknown) => {
        if (!this.closed) this.deps.report(`voice signalling with ${this.deps.userId} failed`, err);
      });
  }

  private async makeOffer(): Promise<void> {
    if (this.closed || this.makingOffer) return;
    this.makingOffer = true;
    try {
      await this.pc.setLocalDescription();
      // An offer of the peer may have rolled ours back meanwhile (we are polite): then send nothing.
      const offer = this.pc.localDescription;
      if (offer?.type === 'offer' && this.pc.signalingState === 'have-local-offer')
        this.sendDescription(offer);
    } catch (err) {
      if (!this.closed) this.deps.report(`could not make an offer to ${this.deps.userId}`, err);
    } finally {
      this.makingOffer = false;
    }
  }

  private async onDescription(description: Description): Promise<void> {
    const pc = this.pc;
    const isOffer = description.type === 'offer';
    const collision = isOffer && (this.makingOffer || pc.signalingState !== 'stable');
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) {
      this.pendingCandidates = [];
      this.recovery.collision();
      return;
    }
    // An answer to an offer we have since rolled back: nothing to apply it to.
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return;
    // A colliding offer on the polite side rolls ours back implicitly.
    await pc.setRemoteDescription(
      description.sdp === undefined
        ? description
        : { ...description, sdp: withOpusParameters(description.sdp) },
    );
    this.recovery.negotiated();
    const queued = this.pendingCandidates;
    this.pendingCandidates = [];
    // A queued end-of-candidates may be an earlier session's: leave it out (it is only a hint).
    for (const candidate of queued) if (candidate) await this.addCandidate(candidate);
    if (isOffer) {
      await pc.setLocalDescription();
      const answer = pc.localDescription;
      if (answer) this.sendDescription(answer);
    }
  }

  private async onCandidate(candidate: Candidate): Promise<void> {
    const action = candidateAction({
      hasRemoteDescription: this.pc.remoteDescription !== null,
      ignoringOffer: this.ignoreOffer,
    });
    if (action === 'queue') this.pendingCandidates.push(candidate);
    else if (action === 'add') await this.addCandidate(candidate);
  }

  private async addCandidate(candidate: Candidate): Promise<void> {
    if (candidate && !candidateFits(candidate.usernameFragment, this.pc.remoteDescription?.sdp ?? '')) return;
    try {
      // null: the peer has gathered all of its candidates.
      await this.pc.addIceCandidate(candidate ?? undefined);
    } catch (err) {
      if (!this.ignoreOffer && !this.closed)
        this.deps.report(`bad ICE candidate from ${this.deps.userId}`, err);
    }
  }

  private sendDescription(description: RTCSessionDescription): void {
    if (this.closed) return;
    this.deps.send({ description: { type: description.type, sdp: withOpusParameters(description.sdp) } });
  }

  /**
   * Our offer went unanswered (lost, or dropped by a peer that did not know us yet): send the same
   * offer again. A fresh one (rollback, then ICE restart) could order its m-lines differently from
   * an earlier copy the peer did apply and answer, and the peer then refuses every later offer.
   */
  private async retryOffer(): Promise<void> {
    const offer = this.pc.localDescription;
    if (this.pc.signalingState !== 'have-local-offer' || this.makingOffer || offer?.type !== 'offer') return;
    this.sendDescription(offer);
  }

  /** An ICE restart with the current ICE servers (TURN credentials expire); negotiation follows. */
  private async restartIceFresh(): Promise<void> {
    try {
      const iceServers = await this.deps.iceServers();
      if (this.closed) return;
      const config = this.pc.getConfiguration();
      if (JSON.stringify(config.iceServers ?? []) !== JSON.stringify(iceServers)) {
        this.pc.setConfiguration({ ...config, iceServers });
      }
    } catch (err) {
      if (this.closed) return;
      this.deps.report('could not update the ICE servers', err);
    }
    this.pc.restartIce();
  }

  private updateState(): void {
    if (this.closed) return;
    const s = this.pc.connectionState;
    if (s === 'connected') this.everConnected = true;
    const next: VoicePeerState =
      s === 'connected'
        ? 'connected'
        : s === 'failed'
          ? 'failed'
          : s === 'disconnected' || this.everConnected
            ? 'reconnecting'
            : 'connecting';
    if (next === this.state) return;
    this.state = next;
    if (next !== 'connected') this.detector.reset();
    this.deps.changed();
  }

  private play(stream: MediaStream): void {
    if (this.closed) return;
    const audio = this.audio ?? this.deps.createAudioElement();
    this.audio = audio;
    audio.autoplay = true;
    audio.muted = this.playbackMuted;
    audio.srcObject = stream;
    if (this.outputDeviceId) {
      setSink(audio, this.outputDeviceId).catch((err: unknown) =>
        this.deps.report('could not choose the audio output', err),
      );
    }
    this.startPlayback(audio);
  }

  /**
   * Plays the peer's audio. When the browser refuses (no recent user gesture: a peer who joins
   * long after my last click), it plays on my next click or key press instead of staying silent.
   * (An AbortError only says that the element was emptied or given another stream meanwhile.)
   */
  private startPlayback(audio: HTMLAudioElement): void {
    audio.play().catch((err: unknown) => {
      if (this.closed || !(err instanceof Error) || err.name !== 'NotAllowedError') return;
      this.deps.report(`could not play ${this.deps.userId}'s audio until the next click`, err);
      if (typeof document === 'undefined') return;
      const retry = () => {
        document.removeEventListener('pointerdown', retry, true);
        document.removeEventListener('keydown', retry, true);
        if (!this.closed && this.audio === audio) this.startPlayback(audio);
      };
      document.addEventListener('pointerdown', retry, true);
      document.addEventListener('keydown', retry, true);
    });
  }
}

/** `setSinkId` where the browser has it (not Safari before 18.4); elsewhere the default output. */
async function setSink(audio: HTMLAudioElement, deviceId: string): Promise<void> {
  if (typeof audio.setSinkId === 'function') await audio.setSinkId(deviceId);
}

function stat(entry: unknown, key: string): unknown {
  if (typeof entry !== 'object' || entry === null || !(key in entry)) return undefined;
  return (entry as Record<string, unknown>)[key];
}

function numberStat(entry: unknown, key: string): number | undefined {
  const value = stat(entry, key);
  return typeof value === 'number' ? value : undefined;
}
