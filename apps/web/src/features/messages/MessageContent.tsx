import { memo, useMemo } from 'react';
import { EmbedView } from '../embeds/EmbedView';
import { parseMessage } from '../embeds/parse-embeds';

/** Message text as React text nodes and links (never HTML), then its embeds. */
export const MessageContent = memo(function MessageContent({
  content,
  myName,
}: {
  content: string;
  myName: string | undefined;
}) {
  const parsed = useMemo(() => parseMessage(content), [content]);
  const me = myName?.toLowerCase();
  return (
    <>
      <div className="message-text">
        {parsed.segments.map((s, i) => {
          const key = `${i}-${s.kind}`;
          if (s.kind === 'link')
            return (
              <a key={key} href={s.href} target="_blank" rel="noopener noreferrer">
                {s.text}
              </a>
            );
          if (s.kind === 'mention')
            return (
              <span key={key} className={`mention${s.username.toLowerCase() === me ? ' mention-me' : ''}`}>
                {s.text}
              </span>
            );
          return <span key={key}>{s.text}</span>;
        })}
      </div>
      {parsed.embeds.length > 0 && (
        <div className="embeds">
          {parsed.embeds.map((e) => (
            <EmbedView key={e.url} embed={e} />
          ))}
        </div>
      )}
    </>
  );
});
