import type { Message } from '@decentra/protocol';
import type { Sound } from '../voice/sounds';
import { BurstGate } from './burst-gate';
import { type AlertState, messageAlert, type Reader } from './message-alert';

/** A popup goes away by itself after this. */
export const POPUP_MS = 5_000;

/** What a popup shows; `onClick` opens `path`, the channel. */
export interface PopupRequest {
  title: string;
  body: string;
  tag: string;
  path: string;
  onClick: () => void;
}

/** A popup on screen. */
export interface Popup {
  close(): void;
}

/** Everything the notifier touches, injectable (the page's are in browser-popups.ts and the controller). */
export interface NotifierDeps {
  state: () => AlertState;
  reader: () => Reader;
  /** Shows a popup; null when the browser may not (no permission, no support). */
  show: (popup: PopupRequest) => Popup | null;
  playSound: (sound: Sound, volume: number) => void;
  /** Brings the window forward and opens an app path. */
  open: (path: string) => void;
  now: () => number;
  setTimer: (run: () => void, ms: number) => void;
}

/**
 * Turns each new message into a popup and a sound when it notifies (see messageAlert): the popup
 * titled with the author (and channel, server), the body as text, one per channel (tag), closed
 * after POPUP_MS or on a click that opens the channel; the chosen message sound at the chosen
 * volume, at most one per burst.
 */
export class MessageNotifier {
  private readonly gate: BurstGate;

  constructor(private readonly deps: NotifierDeps) {
    this.gate = new BurstGate(deps.now);
  }

  onMessage(message: Message): void {
    const { deps } = this;
    const state = deps.state();
    const alert = messageAlert(message, state, deps.reader(), deps.now());
    if (!alert) return;
    const { sounds, messageSound, volume } = state.settings.notifications;
    if (sounds && messageSound !== 'none' && this.gate.pass()) deps.playSound(messageSound, volume);
    const popup: Popup | null = deps.show({
      title: alert.title,
      body: alert.body,
      tag: alert.tag,
      path: alert.path,
      onClick: () => {
        deps.open(alert.path);
        popup?.close();
      },
    });
    if (popup) deps.setTimer(() => popup?.close(), POPUP_MS);
  }
}
