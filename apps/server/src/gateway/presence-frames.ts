import type { EventData, Presence } from '@decentra/protocol';
import type { PresenceMessage } from '../kernel/events.js';

type PresenceFrame =
  | { t: 'presence_update'; d: EventData<'presence_update'> }
  | { t: 'presence_batch'; d: EventData<'presence_batch'> };

/**
 * The encoded event (`{t, d}`) each recipient of a presence announcement gets, for the users
 * `wanted` keeps (this instance's): the changes addressed to it as one frame, each user's last
 * one (the status it leaves them in). Recipients told the same changes share one encoding (one
 * change to a thousand co-members is encoded once).
 */
export function presenceFrames(
  message: PresenceMessage,
  wanted: (userId: string) => boolean,
): Map<string, string> {
  const told = new Map<string, { key: string; presences: Presence[] }>();
  message.changes.forEach(({ d, to }, i) => {
    for (const userId of to) {
      const entry = told.get(userId);
      if (entry) {
        entry.key += `,${i}`;
        entry.presences.push(d);
      } else if (wanted(userId)) {
        told.set(userId, { key: String(i), presences: [d] });
      }
    }
  });
  const encodings = new Map<string, string>();
  const out = new Map<string, string>();
  for (const [userId, { key, presences }] of told) {
    let encoded = encodings.get(key);
    if (encoded === undefined) {
      encoded = JSON.stringify(frameOf(presences));
      encodings.set(key, encoded);
    }
    out.set(userId, encoded);
  }
  return out;
}

function frameOf(presences: Presence[]): PresenceFrame {
  const last = new Map<string, Presence['status']>();
  for (const { userId, status } of presences) last.set(userId, status);
  const [first] = last;
  if (first && last.size === 1) return { t: 'presence_update', d: { userId: first[0], status: first[1] } };
  const online: string[] = [];
  const offline: string[] = [];
  for (const [userId, status] of last) (status === 'online' ? online : offline).push(userId);
  return { t: 'presence_batch', d: { online, offline } };
}
