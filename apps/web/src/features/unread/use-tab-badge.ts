import { useEffect } from 'react';
import { useChat } from '../../app/hooks';
import { setTitleBadge } from '../../app/instance';
import { setFaviconCount } from './favicon';
import { useMuteClock } from './mute-clock';
import { countText, totalMentions } from './unread-state';

/** The tab title's badge for a count of unread mentions: none for 0, "99+" past 99. */
export const badgeFor = (count: number): string => (count > 0 ? countText(count) : '');

/** Keeps the tab title and icon counting the unread mentions while logged in (mutes respected). */
export function useTabBadge(): void {
  const now = useMuteClock((c) => c.now);
  const count = useChat((s) => totalMentions(s, now));
  useEffect(() => {
    setTitleBadge(badgeFor(count));
    setFaviconCount(count);
  }, [count]);
  useEffect(
    () => () => {
      setTitleBadge('');
      setFaviconCount(0);
    },
    [],
  );
}
