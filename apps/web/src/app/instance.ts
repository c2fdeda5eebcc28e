import type { InstanceInfo } from '@decentra/protocol';
import { create } from 'zustand';
import { rest } from './client';

interface InstanceState {
  /** What the server says about itself before login; null until it answered (or if it could not). */
  info: InstanceInfo | null;
  /** The first answer (or failure) is in: the login page knows which form to open on. */
  settled: boolean;
}

export const useInstance = create<InstanceState>(() => ({ info: null, settled: false }));

/** The instance's name, or the product's while it is not known. */
export const instanceName = (info: InstanceInfo | null): string => info?.name || 'Decentra';

/** Asks the server for its name, registration mode and whether mail can reset a password. */
export async function loadInstance(): Promise<void> {
  try {
    const info = await rest.getInstance();
    useInstance.setState({ info, settled: true });
  } catch {
    // The login page works without it, as it did before the instance had a name.
    useInstance.setState({ settled: true });
  }
}

/** After an admin saved something the login page shows, without a round trip. */
export function updateInstance(change: Partial<InstanceInfo>): void {
  const info = useInstance.getState().info;
  if (info) useInstance.setState({ info: { ...info, ...change } });
}

/** "(3) Club House": the instance's name, after a badge when there is one. */
export function titleWith(badge: string, name: string): string {
  return badge ? `(${badge}) ${name}` : name;
}

// The tab title has one writer, so the instance's name arriving after the unread count (a reload
// that gets `ready` before GET /instance) cannot wipe the count.
let titleBadge = '';
const applyTitle = (): void => {
  document.title = titleWith(titleBadge, instanceName(useInstance.getState().info));
};

/** Puts a badge ("3", "99+") before the instance's name in the tab title; '' takes it away. */
export function setTitleBadge(badge: string): void {
  titleBadge = badge;
  applyTitle();
}

useInstance.subscribe(applyTitle);
