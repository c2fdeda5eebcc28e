import { useEffect } from 'react';
import { type NavigateFunction, useNavigate } from 'react-router';
import { create } from 'zustand';
import { chat, chatStore } from '../../app/client';
import { channelPath, dmPath } from '../../app/routes';

/** How long a message jumped to stays highlighted. */
export const HIGHLIGHT_MS = 2_000;

/** The message a jump is bringing into view; MessageList scrolls to it and highlights it. */
interface JumpTarget {
  channelId: string | null;
  messageId: string | null;
  /** Bumped per jump, so that jumping twice to one message scrolls again. */
  serial: number;
}

export const useJumpTarget = create<JumpTarget>(() => ({ channelId: null, messageId: null, serial: 0 }));

let navigateTo: NavigateFunction | null = null;

/** Lets jumpToMessage navigate: called by a component that is always mounted in the shell. */
export function useJumpNavigation(): void {
  const navigate = useNavigate();
  useEffect(() => {
    navigateTo = navigate;
    return () => {
      if (navigateTo === navigate) navigateTo = null;
    };
  }, [navigate]);
}

/**
 * Shows one message: goes to its channel, loads the history around it when it is not held (a
 * window detached from the present, SDK's message-window.ts), scrolls it into view and
 * highlights it for a moment.
 */
export async function jumpToMessage(channelId: string, messageId: string): Promise<void> {
  const channel = chatStore.getState().channels[channelId];
  if (!channel) return;
  const path = channel.serverId === null ? dmPath(channelId) : channelPath(channel.serverId, channelId);
  if (navigateTo && window.location.pathname !== path) navigateTo(path);
  // The target is set before its window comes, so that the list never renders that window
  // without knowing a jump is landing in it (and loads no page around it meanwhile).
  const serial = useJumpTarget.getState().serial + 1;
  useJumpTarget.setState({ channelId, messageId, serial });
  let held = false;
  try {
    held = await chat().jumpTo(channelId, messageId);
  } finally {
    if (!held) clearJumpTarget(serial);
  }
}

/** Ends the highlight (after HIGHLIGHT_MS). */
export function clearJumpTarget(serial: number): void {
  if (useJumpTarget.getState().serial === serial)
    useJumpTarget.setState({ channelId: null, messageId: null });
}
