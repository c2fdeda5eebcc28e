import type { ChatSession, ChatState, RestClient } from '@decentra/client';
import { VoiceEngine } from '@decentra/client/voice';
import { errorText } from '../../ui/error-text';
import { loadVoicePrefs } from './device-prefs';
import { microphoneText } from './microphone-text';
import { useLocalVoice, type VoiceRoom } from './voice-state';

/**
 * Joins the chat session to the media engine: which room this tab is in, who its peers are
 * (everyone else in my voice channel, or the other end of an active call, as the store says),
 * mute and deafen. The server decides membership; this follows the store, so a kick, a deleted
 * channel or a call ended elsewhere stops the audio at once.
 */
class VoiceController {
  private engine: VoiceEngine | null = null;
  private unsubscribe: Array<() => void> = [];
  /** Set once the server has listed me in the channel I joined: absence after that means removed. */
  private seenInChannel = false;
  private mutedBeforeDeafen = false;
  private attached: { session: ChatSession; rest: RestClient } | null = null;

  /** A new chat session (login): voice follows its store. */
  attach(session: ChatSession, rest: RestClient): void {
    this.detach();
    this.attached = { session, rest };
    this.unsubscribe.push(
      session.store.subscribe((s, prev) => {
        // A new `ready` (a new `me`) means a new gateway session: the old one's voice is gone.
        if (s.me !== prev.me) void this.rejoin();
        else if (s.voice !== prev.voice || s.calls !== prev.calls) this.sync(s);
      }),
    );
    window.addEventListener('pagehide', this.onPageHide);
  }

  /** Logout or session end: everything stops. */
  detach(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    window.removeEventListener('pagehide', this.onPageHide);
    this.stopMedia();
    this.attached = null;
    useLocalVoice.setState({ room: null, error: null });
  }

  async joinChannel(channelId: string): Promise<void> {
    const { room } = useLocalVoice.getState();
    if (room?.kind === 'channel' && room.channelId === channelId) return;
    if (room?.kind === 'call') await this.hangUp();
    useLocalVoice.setState({ error: null });
    try {
      await this.chat().joinVoice(channelId);
    } catch (err) {
      useLocalVoice.setState({ error: errorText(err) });
      return;
    }
    this.seenInChannel = false;
    this.enter({ kind: 'channel', channelId });
  }

  async leaveChannel(): Promise<void> {
    const { room } = useLocalVoice.getState();
    if (room?.kind !== 'channel') return;
    this.leaveLocally();
    await this.chat()
      .leaveVoice()
      .catch(() => undefined);
  }

  async call(userId: string): Promise<void> {
    const { room } = useLocalVoice.getState();
    if (room) await this.leaveAny();
    useLocalVoice.setState({ error: null });
    try {
      const callId = await this.chat().startCall(userId);
      this.enter({ kind: 'call', callId });
    } catch (err) {
      useLocalVoice.setState({ error: errorText(err) });
    }
  }

  async accept(callId: string): Promise<void> {
    const { room } = useLocalVoice.getState();
    if (room && !(room.kind === 'call' && room.callId === callId)) await this.leaveAny();
    try {
      await this.chat().acceptCall(callId);
      this.enter({ kind: 'call', callId });
    } catch (err) {
      useLocalVoice.setState({ error: errorText(err) });
    }
  }

  async decline(callId: string): Promise<void> {
    await this.chat()
      .rejectCall(callId)
      .catch(() => undefined);
  }

  async hangUp(): Promise<void> {
    const { room } = useLocalVoice.getState();
    if (room?.kind !== 'call') return;
    this.leaveLocally();
    await this.chat()
      .endCall(room.callId)
      .catch(() => undefined);
  }

  setMuted(muted: boolean): void {
    const { deafened } = useLocalVoice.getState();
    // Unmuting while deafened undeafens too, as in Discord.
    this.applyState(muted, muted ? deafened : false);
  }

  /** Deafening mutes too; undeafening gives back the mute from before. */
  setDeafened(deafened: boolean): void {
    const { muted } = useLocalVoice.getState();
    if (deafened) this.mutedBeforeDeafen = muted;
    this.applyState(deafened ? true : this.mutedBeforeDeafen, deafened);
  }

  async setInputDevice(id: string): Promise<void> {
    await this.engine?.setInputDevice(id);
  }

  async setOutputDevice(id: string): Promise<void> {
    await this.engine?.setOutputDevice(id);
  }

  private chat(): ChatSession {
    if (!this.attached) throw new Error('Voice is used before login');
    return this.attached.session;
  }

  clearError(): void {
    useLocalVoice.setState({ error: null });
  }

  private applyState(muted: boolean, deafened: boolean): void {
    useLocalVoice.setState({ muted, deafened });
    this.engine?.setMuted(muted);
    this.engine?.setDeafened(deafened);
    if (useLocalVoice.getState().room?.kind === 'channel')
      void this.chat()
        .setVoiceState(muted, deafened)
        .catch(() => undefined);
  }

  private async leaveAny(): Promise<void> {
    const { room } = useLocalVoice.getState();
    if (room?.kind === 'channel') await this.leaveChannel();
    else if (room?.kind === 'call') await this.hangUp();
  }

  private enter(room: VoiceRoom): void {
    useLocalVoice.setState({ room });
    this.sync(this.chat().store.getState());
  }

  private leaveLocally(): void {
    this.stopMedia();
    useLocalVoice.setState({ room: null });
  }

  /** Makes the engine's peers what the store says; stops when the room is gone. */
  private sync(s: ChatState): void {
    const { room } = useLocalVoice.getState();
    const me = s.me?.id;
    if (!room || !me) return;
    if (room.kind === 'channel') {
      const list = s.voice[room.channelId] ?? [];
      const here = list.some((m) => m.userId === me);
      if (here) {
        this.seenInChannel = true;
        this.media().setPeers(list.filter((m) => m.userId !== me).map((m) => m.userId));
      } else if (this.seenInChannel) {
        this.leaveLocally();
      }
      return;
    }
    const call = s.calls[room.callId];
    if (!call) {
      this.leaveLocally();
      return;
    }
    if (call.state !== 'active') return;
    const other = call.caller.id === me ? call.callee.id : call.caller.id;
    this.media().setPeers([other]);
  }

  /** The engine, started on first use with this browser's devices. */
  private media(): VoiceEngine {
    if (this.engine) return this.engine;
    const prefs = loadVoicePrefs();
    const me = this.chat().store.getState().me?.id ?? '';
    const rest = this.attached?.rest;
    const engine = new VoiceEngine({
      selfId: me,
      signaller: {
        send: (to, payload) => void this.chat().sendSignal(to, payload),
        onSignal: (listener) => this.chat().onSignal(listener),
      },
      iceServers: async () => (rest ? (await rest.iceServers()).iceServers : []),
      iceTransportPolicy: prefs.relayOnly ? 'relay' : 'all',
      inputDeviceId: prefs.inputDeviceId,
      outputDeviceId: prefs.outputDeviceId,
    });
    this.engine = engine;
    const { muted, deafened } = useLocalVoice.getState();
    engine.setMuted(muted);
    engine.setDeafened(deafened);
    const off = engine.subscribe((media) => {
      if (this.engine !== engine) return;
      const error = media.error ? microphoneText(media.error) : useLocalVoice.getState().error;
      useLocalVoice.setState({ media, error });
    });
    this.unsubscribe.push(off);
    engine.start().catch(() => undefined);
    return engine;
  }

  private stopMedia(): void {
    this.engine?.stop();
    this.engine = null;
    this.seenInChannel = false;
    useLocalVoice.setState({ media: null });
  }

  /**
   * A new session (after a lost one) took my voice channel and call with it: back into the
   * channel with fresh connections; a call is over (the server ended it with the session).
   */
  private async rejoin(): Promise<void> {
    const { room } = useLocalVoice.getState();
    if (!room) return;
    this.stopMedia();
    useLocalVoice.setState({ room: null });
    if (room.kind === 'channel') await this.joinChannel(room.channelId);
  }

  /** Closing the tab hangs up at once rather than after the socket times out. */
  private readonly onPageHide = () => {
    const { room } = useLocalVoice.getState();
    if (room?.kind === 'call') void this.chat().endCall(room.callId);
    else if (room?.kind === 'channel') void this.chat().leaveVoice();
  };
}

export const voice = new VoiceController();
