import type { LinkEmbed } from '@decentra/protocol';
import { memo, useMemo } from 'react';
import { EmbedView } from '../embeds/EmbedView';
import { Markdown } from '../markdown/Markdown';
import { parseMarkdown } from '../markdown/parse-markdown';

/**
 * Message text as markdown rendered to React elements (never HTML), then the server's previews of
 * its links (`message.embeds`; the browser makes none itself: a link stays a link until the
 * server has fetched what it shows).
 */
export const MessageContent = memo(function MessageContent({
  content,
  myName,
  embeds,
}: {
  content: string;
  myName: string | undefined;
  embeds?: readonly LinkEmbed[] | undefined;
}) {
  const nodes = useMemo(() => parseMarkdown(content), [content]);
  return (
    <>
      <div className="message-text">
        <Markdown nodes={nodes} me={myName?.toLowerCase()} />
      </div>
      {embeds && embeds.length > 0 && (
        <div className="embeds">
          {embeds.map((e) => (
            <EmbedView key={e.url} embed={e} />
          ))}
        </div>
      )}
    </>
  );
});
