import type { ChatState } from '@decentra/client';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { chatStore } from './client';

/** Reads from the chat store; re-renders only when the selected value changes. */
export function useChat<T>(selector: (s: ChatState) => T): T {
  return useStore(chatStore, selector);
}

/** Like useChat, for selectors that build a new array or object each time. */
export function useChatShallow<T>(selector: (s: ChatState) => T): T {
  return useStore(chatStore, useShallow(selector));
}
