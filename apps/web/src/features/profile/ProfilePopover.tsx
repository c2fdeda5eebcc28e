import type { UserProfile } from '@decentra/protocol';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useNavigate } from 'react-router';
import { chat, chatStore, rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { dmPath, usePlace } from '../../app/routes';
import { Avatar } from '../../ui/Avatar';
import { errorText } from '../../ui/error-text';
import { formatDate } from '../../ui/format';
import { voice } from '../voice/voice-controller';
import { useLocalVoice } from '../voice/voice-state';
import { useRelationship } from './relationship';
import '../../styles/people.css';

const WIDTH = 300;

/** Where the card goes: beside the anchor, kept inside the window. */
function placeNear(anchor: HTMLElement, height: number): { left: number; top: number } {
  const r = anchor.getBoundingClientRect();
  const right = r.right + 8 + WIDTH <= window.innerWidth;
  const left = right ? r.right + 8 : Math.max(8, r.left - 8 - WIDTH);
  const top = Math.max(8, Math.min(r.top, window.innerHeight - height - 8));
  return { left, top };
}

/**
 * A user's card: avatar, name, member since (and when they joined this server), mutual servers
 * and friends, and Message / Add friend / Call. Closes on Escape, on a click outside, and on
 * leaving the page.
 */
export function ProfilePopover({
  userId,
  anchor,
  onClose,
}: {
  userId: string;
  anchor: HTMLElement;
  onClose: () => void;
}) {
  const card = useRef<HTMLDivElement>(null);
  const [profile, setProfile] = useState<UserProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pos, setPos] = useState(() => placeNear(anchor, 320));
  const knownName = useChat((s) => s.users[userId]?.username);

  useEffect(() => {
    let live = true;
    rest.getUserProfile({ userId }).then(
      (p) => live && setProfile(p),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [userId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-placed once the content is in.
  useLayoutEffect(() => {
    if (card.current) setPos(placeNear(anchor, card.current.offsetHeight));
  }, [anchor, profile, error]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        onClose();
        anchor.focus();
      }
    };
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!card.current?.contains(t) && !anchor.contains(t)) onClose();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown);
    };
  }, [anchor, onClose]);

  const name = profile?.username ?? knownName ?? '';
  return createPortal(
    <div
      ref={card}
      className="profile-popover"
      role="dialog"
      aria-label={name ? `Profile of ${name}` : 'Profile'}
      style={{ left: pos.left, top: pos.top, width: WIDTH }}
    >
      <div className="profile-head">
        <Avatar id={userId} name={name || '?'} avatar={profile?.avatar} />
        <strong className="profile-name">{name}</strong>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!profile && !error && <p role="status">Loading…</p>}
      {profile && <ProfileBody profile={profile} onClose={onClose} />}
    </div>,
    document.body,
  );
}

function ProfileBody({ profile, onClose }: { profile: UserProfile; onClose: () => void }) {
  const { serverId } = usePlace();
  const here = profile.mutualServers.find((s) => s.id === serverId);
  const isMe = useChat((s) => s.me?.id === profile.id);
  return (
    <>
      <dl className="profile-facts">
        <dt>Member since</dt>
        <dd>{formatDate(profile.createdAt)}</dd>
        {here && (
          <>
            <dt>Joined {here.name}</dt>
            <dd>{formatDate(here.joinedAt)}</dd>
          </>
        )}
      </dl>
      {!isMe && (
        <>
          <MutualList
            title="Mutual servers"
            names={profile.mutualServers.map((s) => ({ id: s.id, name: s.name }))}
          />
          <MutualList
            title="Mutual friends"
            names={profile.mutualFriends.map((f) => ({ id: f.id, name: f.username }))}
          />
          <ProfileActions profile={profile} onClose={onClose} />
        </>
      )}
    </>
  );
}

function MutualList({ title, names }: { title: string; names: Array<{ id: string; name: string }> }) {
  return (
    <section className="profile-mutual" aria-label={title}>
      <h3>
        {title} — {names.length}
      </h3>
      {names.length > 0 && (
        <ul>
          {names.map((n) => (
            <li key={n.id}>{n.name}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ProfileActions({ profile, onClose }: { profile: UserProfile; onClose: () => void }) {
  const navigate = useNavigate();
  const relationship = useRelationship(profile.id);
  const dmId = useChat((s) =>
    s.dmIds.find((id) => s.channels[id]?.recipients?.some((r) => r.id === profile.id)),
  );
  const inCall = useLocalVoice((s) => s.room !== null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  };
  const friend = relationship === 'friend';
  return (
    <>
      <div className="profile-actions">
        <button
          type="button"
          className="button small"
          disabled={busy || (!friend && !dmId)}
          title={friend || dmId ? undefined : 'You can message your friends'}
          onClick={() =>
            void act(async () => {
              const id = dmId ?? (await chat().openDm(profile.id)).id;
              onClose();
              navigate(dmPath(id));
            })
          }
        >
          Message
        </button>
        {relationship === 'none' && (
          <button
            type="button"
            className="button small secondary"
            disabled={busy}
            onClick={() =>
              void act(async () => void (await rest.sendFriendRequest({ username: profile.username })))
            }
          >
            Add friend
          </button>
        )}
        {relationship === 'outgoing' && (
          <button type="button" className="button small secondary" disabled>
            Request sent
          </button>
        )}
        {relationship === 'incoming' && (
          <button
            type="button"
            className="button small secondary"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                const request = chatStore.getState().incoming.find((r) => r.from.id === profile.id);
                if (request) await rest.acceptFriendRequest({ requestId: request.id });
              })
            }
          >
            Accept request
          </button>
        )}
        {friend && (
          <span className="badge" role="status">
            Friends
          </span>
        )}
        {friend && (
          <button
            type="button"
            className="button small ok"
            disabled={inCall}
            title={inCall ? 'You are in a call' : undefined}
            onClick={() => {
              onClose();
              void voice.call(profile.id);
            }}
          >
            Call
          </button>
        )}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
