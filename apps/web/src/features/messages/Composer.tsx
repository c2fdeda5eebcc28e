import { MAX_MESSAGE_LENGTH } from '@decentra/protocol';
import { type KeyboardEvent, useRef, useState } from 'react';
import { chat } from '../../app/client';
import { Icon } from '../../ui/Icon';
import { AttachButton, AttachmentTray, pastedFiles } from '../attachments/AttachmentTray';
import { addFiles, sendWithFiles, trayOf, useTrays } from '../attachments/tray-store';
import { EmojiButton } from '../emoji/EmojiButton';
import { useComposerAutocomplete } from './composer-autocomplete/use-composer-autocomplete';
import { takeReply } from './reply-draft';

/** Show the counter once this close to the limit. */
const COUNTER_FROM = MAX_MESSAGE_LENGTH - 500;

/** "Message #channel": Enter sends, Shift+Enter is a new line; shows at once, sends when it can. */
export function Composer({ channelId, label }: { channelId: string; label: string }) {
  const [value, setValue] = useState('');
  const textarea = useRef<HTMLTextAreaElement>(null);
  const auto = useComposerAutocomplete({ channelId, value, setValue, textarea });
  const length = value.trim().length;
  const tooLong = length > MAX_MESSAGE_LENGTH;
  const tray = useTrays((s) => trayOf(s, channelId));
  const hasFiles = tray.files.length > 0;

  const send = () => {
    const content = auto.finish(value.trim());
    if ((!content && !hasFiles) || tooLong || tray.queued) return;
    const reply = takeReply(channelId);
    // With files the message goes once their uploads have finished; the text may then be empty.
    sendWithFiles(channelId, (attachments) => {
      if (content || attachments.length > 0) chat().send(channelId, content, reply, attachments);
    });
    setValue('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (auto.onKeyDown(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {auto.popup}
      <AttachmentTray channelId={channelId} />
      <AttachButton channelId={channelId} />
      <textarea
        ref={textarea}
        aria-label={`Message ${label}`}
        placeholder={`Message ${label}`}
        rows={Math.min(8, value.split('\n').length)}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          auto.track(e.target);
          if (e.target.value.trim()) chat().typing(channelId);
        }}
        onKeyDown={onKeyDown}
        onSelect={(e) => auto.track(e.currentTarget)}
        onPaste={(e) => {
          const files = pastedFiles(e.clipboardData);
          if (files.length === 0) return;
          e.preventDefault();
          void addFiles(channelId, files);
        }}
      />
      <EmojiButton onPick={auto.insert} />
      {length >= COUNTER_FROM && (
        <span className={`counter${tooLong ? ' over' : ''}`} aria-live="polite">
          {MAX_MESSAGE_LENGTH - length}
        </span>
      )}
      <button
        type="submit"
        className="button send"
        disabled={(!length && !hasFiles) || tooLong || tray.queued}
        aria-label="Send message"
      >
        <Icon name="send" />
      </button>
    </form>
  );
}
