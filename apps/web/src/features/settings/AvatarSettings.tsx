import { reduceEvent } from '@decentra/client';
import type { User } from '@decentra/protocol';
import { chatStore, rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { Avatar } from '../../ui/Avatar';
import { PictureField } from '../../ui/PictureField';

/** The answer applied as its `user_update` would be: shown at once; the event then changes nothing. */
function showMe(user: User): void {
  chatStore.setState((s) => reduceEvent(s, { op: 'event', t: 'user_update', d: user, seq: 0 }));
}

/** Settings › Account: my avatar, shown to everyone who sees me. */
export function AvatarSettings() {
  const me = useChat((s) => s.me);
  if (!me) return null;
  return (
    <section className="settings-form" aria-labelledby="avatar-heading">
      <h2 id="avatar-heading">Avatar</h2>
      <PictureField
        label="avatar"
        preview={<Avatar id={me.id} name={me.username} avatar={me.avatar} />}
        hasPicture={me.avatar !== undefined}
        upload={async (picture) => showMe(await rest.setAvatar({ body: picture }))}
        remove={async () => {
          await rest.deleteAvatar();
          const { avatar: _, ...without } = me;
          showMe(without);
        }}
      />
    </section>
  );
}
