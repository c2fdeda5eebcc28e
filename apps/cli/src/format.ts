import type { Channel, Message } from '@decentra/protocol';

const time = (iso: string) => new Date(iso).toTimeString().slice(0, 5);

/** One line per message; control characters are shown, never executed by the terminal. */
export function formatMessage(m: Message, channelLabel?: string): string {
  const where = channelLabel ? `${channelLabel} ` : '';
  if (m.call) return `${where}[${time(m.createdAt)}] ${callLine(m.author.username, m.call)}`;
  const edited = m.editedAt ? ' (edited)' : '';
  return `${where}[${time(m.createdAt)}] ${m.author.username}: ${safe(m.content)}${edited}`;
}

/** A call's record in a DM (its author is the caller). */
function callLine(caller: string, call: NonNullable<Message['call']>): string {
  if (call.outcome === 'missed') return `* missed call from ${caller}`;
  if (call.outcome === 'rejected') return `* call from ${caller}, declined`;
  const s = call.durationSeconds;
  return `* call from ${caller}, ${s < 60 ? `${s} s` : `${Math.round(s / 60)} min`}`;
}

export function channelLabel(c: Channel, me?: string): string {
  if (c.type === 'dm') return `@${c.recipients?.find((r) => r.id !== me)?.username ?? c.name}`;
  return c.type === 'voice' ? `🔊${c.name}` : `#${c.name}`;
}

/** Escape sequences in other people's text must not move the cursor or recolour the terminal. */
export function safe(text: string): string {
  // Every control character but tab and newline (ESC, BEL, C1 codes…) is shown as \xNN.
  return text.replace(/(?![\t\n])\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
