import type { Member, Permission } from '@decentra/protocol';
import { useState } from 'react';
import { chat, rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { errorText } from '../../ui/error-text';

const TOGGLES: Array<[Permission, string]> = [
  ['createChannel', 'Create channels'],
  ['editChannel', 'Edit channels'],
  ['deleteChannel', 'Delete channels'],
  ['mentionEveryone', 'Mention @everyone'],
  ['pinMessages', 'Pin messages'],
];

/** Members with the owner's permission toggles each, and Kick. */
export function MemberList({ serverId, onError }: { serverId: string; onError: (e: string) => void }) {
  const members = useChat((s) => s.members[serverId]);
  const presence = useChat((s) => s.presence);
  const [kicking, setKicking] = useState<Member | null>(null);
  if (!members) return <p role="status">Loading members…</p>;
  return (
    <>
      <ul className="member-list">
        {members.map((m) => (
          <li key={m.user.id} className="member-row">
            <Avatar
              id={m.user.id}
              name={m.user.username}
              avatar={m.user.avatar}
              status={presence[m.user.id] ?? 'offline'}
            />
            <span className="member-name">
              {m.user.username}
              {m.isOwner && <span className="badge">Owner</span>}
            </span>
            {!m.isOwner && (
              <fieldset className="toggles">
                <legend className="visually-hidden">Permissions of {m.user.username}</legend>
                {TOGGLES.map(([key, label]) => (
                  <label key={key} className="toggle">
                    <input
                      type="checkbox"
                      checked={m.permissions[key]}
                      aria-label={`${label} (${m.user.username})`}
                      onChange={(e) => void toggle(serverId, m, key, e.target.checked, onError)}
                    />
                    <span aria-hidden="true">{label}</span>
                  </label>
                ))}
              </fieldset>
            )}
            {!m.isOwner && (
              <button
                type="button"
                className="button small danger"
                aria-label={`Kick ${m.user.username}`}
                onClick={() => setKicking(m)}
              >
                Kick
              </button>
            )}
          </li>
        ))}
      </ul>
      {kicking && (
        <ConfirmDialog
          title="Kick member"
          message={`Remove ${kicking.user.username} from this server? They can come back with a new invite.`}
          confirmLabel="Kick"
          onConfirm={() => rest.removeMember({ serverId, userId: kicking.user.id })}
          onClose={() => setKicking(null)}
        />
      )}
    </>
  );
}

/**
 * Flips the box at once (a click that changes nothing for a moment reads as a missed click), then
 * stores the server's answer, or puts the member back as they were and says why.
 */
async function toggle(
  serverId: string,
  m: Member,
  key: Permission,
  value: boolean,
  onError: (e: string) => void,
) {
  try {
    await chat().setPermission(serverId, m, key, value);
  } catch (err) {
    onError(errorText(err));
  }
}
