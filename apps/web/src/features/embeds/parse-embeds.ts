import { toHttpUrl, trimUrl, URL_PATTERN } from '@decentra/protocol';

/**
 * Turns message text into pieces to render as text (never as HTML): plain text, http(s) links
 * and @mentions. Only http: and https: URLs ever become links (the protocol's links.ts cuts them,
 * the same way the server does for previews); everything else (javascript:, data:, markup) stays
 * plain text. Embeds are the server's (`message.embeds`): the browser never fetches a linked host.
 */

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; username: string };

export interface ParsedMessage {
  segments: Segment[];
}

const TOKEN = new RegExp(`${URL_PATTERN.source}|(?<![A-Za-z0-9_.-])@[A-Za-z0-9_.-]{2,32}`, 'gi');

export function parseMessage(content: string): ParsedMessage {
  const segments: Segment[] = [];
  let last = 0;
  const pushText = (text: string) => {
    if (!text) return;
    const prev = segments[segments.length - 1];
    if (prev?.kind === 'text') prev.text += text;
    else segments.push({ kind: 'text', text });
  };
  for (const match of content.matchAll(TOKEN)) {
    const start = match.index;
    let token = match[0];
    if (token.startsWith('@')) {
      pushText(content.slice(last, start));
      // A trailing dot is punctuation, not part of the name ("thanks @ann.").
      const name = token.replace(/\.+$/, '');
      segments.push({ kind: 'mention', text: name, username: name.slice(1) });
      last = start + name.length;
      continue;
    }
    token = trimUrl(token);
    const url = toHttpUrl(token);
    if (!url) continue;
    pushText(content.slice(last, start));
    segments.push({ kind: 'link', text: token, href: url.href });
    last = start + token.length;
  }
  pushText(content.slice(last));
  return { segments };
}
