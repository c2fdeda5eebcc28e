import type { MuteDuration, NotificationMode, UpdateNotificationOverrideBody } from '@decentra/protocol';
import { isMuted } from '@decentra/protocol';
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { chat } from '../../app/client';
import { useChat, useChatShallow } from '../../app/hooks';
import { errorText } from '../../ui/error-text';
import { hasUnread, markChannelRead, markServerRead } from './mark-read';
import { defaultModeLabel, type MenuTarget, MODE_LABELS, mutedUntilText } from './menu-target';
import { useMuteClock } from './mute-clock';
import { hideNewLine } from './new-line';

const MUTES: Array<[MuteDuration, string]> = [
  ['15m', 'Mute for 15 minutes'],
  ['1h', 'Mute for 1 hour'],
  ['8h', 'Mute for 8 hours'],
  ['forever', 'Mute until I turn it back on'],
];
const MODES: NotificationMode[] = ['all', 'mentions', 'none'];
const ITEM = '[role^="menuitem"]:not(:disabled)';

interface Props {
  target: MenuTarget;
  /** Where it opens (the pointer, or below the button), in viewport pixels. */
  at: { x: number; y: number };
  /** What opened it: a press on it is left to it (its button closes the menu again). */
  opener: HTMLElement | null;
  /** `restoreFocus`: give focus back to what opened it (Escape, a choice made). */
  onClose: (restoreFocus: boolean) => void;
}

/**
 * The notification rules of a server, channel or DM, and "Mark as read": a menu (arrow keys,
 * Home/End, Escape) over the page. A choice is saved through the SDK, whose answer updates the store.
 */
export function NotificationMenu({ target, at, opener, onClose }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState(at);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const now = useMuteClock((c) => c.now);
  const override = useChat((s) => s.notificationOverrides[target.id]);
  const fallback = useChat((s) => defaultModeLabel(s, target));
  const channelIds = useChatShallow((s) =>
    target.kind === 'server' ? (s.servers[target.id]?.channelIds ?? []) : [target.id],
  );
  const unread = useChat((s) => hasUnread(s.readStates, channelIds));
  const muted = isMuted(override, now);
  const mode = override?.mode ?? null;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const { width, height } = el.getBoundingClientRect();
    setPos({
      x: Math.max(4, Math.min(at.x, window.innerWidth - width - 4)),
      y: Math.max(4, Math.min(at.y, window.innerHeight - height - 4)),
    });
    el.querySelector<HTMLElement>(ITEM)?.focus();
  }, [at]);

  useEffect(() => {
    const away = (e: PointerEvent) => {
      const on = e.target as Node;
      if (!ref.current?.contains(on) && !opener?.contains(on)) onClose(false);
    };
    const resize = () => onClose(false);
    document.addEventListener('pointerdown', away, true);
    window.addEventListener('resize', resize);
    return () => {
      document.removeEventListener('pointerdown', away, true);
      window.removeEventListener('resize', resize);
    };
  }, [onClose, opener]);

  const save = async (change: UpdateNotificationOverrideBody) => {
    setBusy(true);
    setError(null);
    try {
      await chat().setNotificationOverride(target.id, change);
      onClose(true);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  const markRead = () => {
    if (target.kind === 'server') markServerRead(target.id);
    else markChannelRead(target.id);
    for (const id of channelIds) hideNewLine(id);
    onClose(true);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>(ITEM) ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    const go = (j: number) => items[(j + items.length) % items.length]?.focus();
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i < 0 ? -1 : i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(-1);
    // Tab leaves the menu as Escape does: back to what opened it (the page's order from there).
    else if (e.key === 'Escape' || e.key === 'Tab') onClose(true);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return createPortal(
    <div
      ref={ref}
      className="context-menu"
      role="menu"
      aria-label={`Notifications for ${target.name}`}
      aria-busy={busy}
      style={{ left: pos.x, top: pos.y }}
      onKeyDown={onKeyDown}
    >
      <button type="button" role="menuitem" tabIndex={-1} disabled={!unread} onClick={markRead}>
        Mark as read
      </button>
      <hr className="menu-sep" />
      <fieldset className="menu-group" aria-label="Notifications">
        <div className="menu-label" aria-hidden="true">
          Notifications
        </div>
        <button
          type="button"
          role="menuitemradio"
          aria-checked={mode === null}
          tabIndex={-1}
          disabled={busy}
          onClick={() => void save({ mode: null })}
        >
          Default <span className="menu-hint">({fallback})</span>
        </button>
        {MODES.map((m) => (
          <button
            key={m}
            type="button"
            role="menuitemradio"
            aria-checked={mode === m}
            tabIndex={-1}
            disabled={busy}
            onClick={() => void save({ mode: m })}
          >
            {MODE_LABELS[m]}
          </button>
        ))}
      </fieldset>
      <hr className="menu-sep" />
      {muted ? (
        <button
          type="button"
          role="menuitem"
          tabIndex={-1}
          disabled={busy}
          onClick={() => void save({ mute: null })}
        >
          Unmute <span className="menu-hint">({mutedUntilText(override?.mutedUntil ?? null, now)})</span>
        </button>
      ) : (
        <fieldset className="menu-group" aria-label="Mute">
          {MUTES.map(([duration, label]) => (
            <button
              key={duration}
              type="button"
              role="menuitem"
              tabIndex={-1}
              disabled={busy}
              onClick={() => void save({ mute: duration })}
            >
              {label}
            </button>
          ))}
        </fieldset>
      )}
      {error && (
        <p className="menu-error" role="alert">
          {error}
        </p>
      )}
    </div>,
    document.body,
  );
}
