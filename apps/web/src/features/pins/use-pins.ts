import type { Pin } from '@decentra/protocol';
import { useEffect, useState } from 'react';
import { chat, rest } from '../../app/client';
import { errorText } from '../../ui/error-text';

/** A channel's pins, newest first, kept live: refetched on each pin change, edits and deletions followed. */
export function usePins(channelId: string): { pins: Pin[] | null; error: string | null } {
  const [pins, setPins] = useState<Pin[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      rest.listPins({ channelId }).then(
        (list) => live && setPins(list),
        (err: unknown) => live && setError(errorText(err)),
      );
    void load();
    const session = chat();
    const offs = [
      session.onEvent('channel_pins_update', (d) => {
        if (d.channelId === channelId) void load();
      }),
      session.onEvent('message_update', (m) => {
        setPins((list) =>
          list ? list.map((p) => (p.message.id === m.id ? { ...p, message: m } : p)) : null,
        );
      }),
      session.onEvent('message_delete', (d) => {
        setPins((list) => (list ? list.filter((p) => p.message.id !== d.id) : null));
      }),
    ];
    return () => {
      live = false;
      for (const off of offs) off();
    };
  }, [channelId]);
  return { pins, error };
}
