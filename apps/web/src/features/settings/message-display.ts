import * as z from 'zod';
import { create } from 'zustand';

/**
 * How messages are laid out: "cozy" (Discord's: avatar and name once per group, everything on
 * the left) or "bubbles" (own messages in green on the right, others' in blue on the left).
 * Kept per browser in localStorage, like the voice devices: a display choice, not account data.
 */
export const MESSAGE_DISPLAYS = ['cozy', 'bubbles'] as const;
export type MessageDisplay = (typeof MESSAGE_DISPLAYS)[number];

const KEY = 'decentra.messageDisplay';
const DisplaySchema = z.enum(MESSAGE_DISPLAYS).catch('cozy');

function load(): MessageDisplay {
  try {
    return DisplaySchema.parse(localStorage.getItem(KEY));
  } catch {
    return 'cozy';
  }
}

export const useMessageDisplay = create<{ display: MessageDisplay }>(() => ({ display: load() }));

export function setMessageDisplay(display: MessageDisplay): void {
  try {
    localStorage.setItem(KEY, display);
  } catch {
    // Storage refused (private mode, quota): the choice still holds for this page.
  }
  useMessageDisplay.setState({ display });
}
