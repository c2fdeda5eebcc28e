/** What the word before the caret is being typed as: an emoji shortcode or a mention. */
export interface Token {
  kind: 'emoji' | 'mention';
  /** Where the `:` or `@` is. */
  start: number;
  query: string;
}

const EMOJI = /(?:^|[\s(])(:([a-z0-9_+-]{2,32}))$/i;
const MENTION = /(?:^|[\s(])(@([A-Za-z0-9_.-]{0,32}))$/;

/** The token ending at the caret, if the text before it ends in `:sm` (two letters or more) or `@a`. */
export function findToken(text: string, caret: number): Token | null {
  const before = text.slice(0, caret);
  const emoji = EMOJI.exec(before);
  if (emoji?.[1] !== undefined && emoji[2] !== undefined) {
    return { kind: 'emoji', start: caret - emoji[1].length, query: emoji[2].toLowerCase() };
  }
  const mention = MENTION.exec(before);
  if (mention?.[1] !== undefined && mention[2] !== undefined) {
    return { kind: 'mention', start: caret - mention[1].length, query: mention[2].toLowerCase() };
  }
  return null;
}
