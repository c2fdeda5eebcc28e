import { useEffect } from 'react';
import { create } from 'zustand';

/**
 * Where the reader's attention is: whether the page is visible and focused, and which channel (or
 * DM) is on screen. A channel is read when it is viewed while `attentive`; a message notifies when
 * the page is not attentive or the message is elsewhere.
 */
interface Attention {
  visible: boolean;
  focused: boolean;
  /** The channel or DM whose messages are on screen, if any. */
  viewing: string | null;
}

export const useAttention = create<Attention>(() => ({
  visible: typeof document === 'undefined' ? true : document.visibilityState === 'visible',
  focused: typeof document === 'undefined' ? true : document.hasFocus(),
  viewing: null,
}));

/** Visible and focused: what is on screen is being read. */
export function isAttentive(a: Pick<Attention, 'visible' | 'focused'> = useAttention.getState()): boolean {
  return a.visible && a.focused;
}

if (typeof window !== 'undefined') {
  const update = () =>
    useAttention.setState({ visible: document.visibilityState === 'visible', focused: document.hasFocus() });
  document.addEventListener('visibilitychange', update);
  window.addEventListener('focus', update);
  window.addEventListener('blur', update);
}

/** Declares the channel on screen while the calling component is mounted. */
export function useViewing(channelId: string | undefined): void {
  useEffect(() => {
    if (!channelId) return;
    useAttention.setState({ viewing: channelId });
    return () => {
      if (useAttention.getState().viewing === channelId) useAttention.setState({ viewing: null });
    };
  }, [channelId]);
}
