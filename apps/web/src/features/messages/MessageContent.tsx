import { memo, useMemo } from 'react';
import { EmbedView } from '../embeds/EmbedView';
import { embedFor, MAX_EMBEDS, toHttpUrl } from '../embeds/parse-embeds';
import { Markdown } from '../markdown/Markdown';
import { linksOf, parseMarkdown } from '../markdown/parse-markdown';

/**
 * Message text as markdown rendered to React elements (never HTML), then the embeds of its links
 * (links inside code are text, so they neither link nor embed).
 */
export const MessageContent = memo(function MessageContent({
  content,
  myName,
}: {
  content: string;
  myName: string | undefined;
}) {
  const { nodes, embeds } = useMemo(() => {
    const nodes = parseMarkdown(content);
    return { nodes, embeds: embedsOf(linksOf(nodes).map((l) => l.href)) };
  }, [content]);
  return (
    <>
      <div className="message-text">
        <Markdown nodes={nodes} me={myName?.toLowerCase()} />
      </div>
      {embeds.length > 0 && (
        <div className="embeds">
          {embeds.map((e) => (
            <EmbedView key={e.url} embed={e} />
          ))}
        </div>
      )}
    </>
  );
});

/** The embeds of these links, as parseMessage picks them: in order, each once, at most MAX_EMBEDS. */
function embedsOf(hrefs: readonly string[]) {
  const seen = new Set<string>();
  const embeds = [];
  for (const href of hrefs) {
    const url = toHttpUrl(href);
    const embed = url && embedFor(url);
    if (!embed || seen.has(embed.url)) continue;
    seen.add(embed.url);
    embeds.push(embed);
    if (embeds.length === MAX_EMBEDS) break;
  }
  return embeds;
}
