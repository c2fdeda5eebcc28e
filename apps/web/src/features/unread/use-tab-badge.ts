import { useEffect } from 'react';
import { useChat } from '../../app/hooks';
import { instanceName, useInstance } from '../../app/instance';
import { setFaviconCount } from './favicon';
import { useMuteClock } from './mute-clock';
import { countText, totalMentions } from './unread-state';

/** "(3) Decentra": the unread mentions (DM messages included) before the instance's name. */
export function titleWith(count: number, name: string): string {
  return count > 0 ? `(${countText(count)}) ${name}` : name;
}

/** Keeps the tab title and icon counting the unread mentions while logged in (mutes respected). */
export function useTabBadge(): void {
  const now = useMuteClock((c) => c.now);
  const count = useChat((s) => totalMentions(s, now));
  const name = useInstance((s) => instanceName(s.info));
  useEffect(() => {
    document.title = titleWith(count, name);
    setFaviconCount(count);
  }, [count, name]);
  useEffect(
    () => () => {
      document.title = instanceName(useInstance.getState().info);
      setFaviconCount(0);
    },
    [],
  );
}
