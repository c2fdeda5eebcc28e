import type { Member } from '@decentra/protocol';
import { useEffect, useMemo, useState } from 'react';
import { chat } from '../../app/client';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { errorText } from '../../ui/error-text';
import { Icon } from '../../ui/Icon';
import { ProfileTrigger } from '../profile/ProfileTrigger';
import '../../styles/people.css';

const byName = new Intl.Collator(undefined, { sensitivity: 'base' });

/**
 * The server's members beside the conversation, "Online — N" and "Offline — N", by name, the
 * owner crowned. One request loads the list; member and presence events keep it live.
 */
export function MemberColumn({ serverId }: { serverId: string }) {
  const members = useChat((s) => s.members[serverId]);
  const presence = useChat((s) => s.presence);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (members) return;
    chat()
      .loadMembers(serverId)
      .catch((err) => setError(errorText(err)));
  }, [serverId, members]);

  const [online, offline] = useMemo(() => {
    const sorted = [...(members ?? [])].sort((a, b) => byName.compare(a.user.username, b.user.username));
    const on: Member[] = [];
    const off: Member[] = [];
    for (const m of sorted) (presence[m.user.id] === 'online' ? on : off).push(m);
    return [on, off];
  }, [members, presence]);

  return (
    <aside className="member-column" aria-label="Members">
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!members && !error && <p role="status">Loading members…</p>}
      {members && (
        <>
          <MemberGroup title={`Online — ${online.length}`} members={online} status="online" />
          <MemberGroup title={`Offline — ${offline.length}`} members={offline} status="offline" />
        </>
      )}
    </aside>
  );
}

function MemberGroup({
  title,
  members,
  status,
}: {
  title: string;
  members: Member[];
  status: 'online' | 'offline';
}) {
  return (
    <section aria-label={title}>
      <h2 className="member-group-title">{title}</h2>
      <ul className="member-column-list">
        {members.map((m) => (
          <li key={m.user.id} className={`member-column-row ${status}`}>
            <ProfileTrigger
              userId={m.user.id}
              label={m.isOwner ? `${m.user.username}, server owner` : m.user.username}
            >
              <Avatar id={m.user.id} name={m.user.username} avatar={m.user.avatar} status={status} />
              <span className="member-column-name">{m.user.username}</span>
              {m.isOwner && (
                <span className="owner-crown" title="Server owner">
                  <Icon name="crown" size={14} />
                </span>
              )}
            </ProfileTrigger>
          </li>
        ))}
      </ul>
    </section>
  );
}
