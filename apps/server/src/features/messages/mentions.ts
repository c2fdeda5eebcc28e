const MENTION = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]{2,32})/g;

/** The distinct lower-cased usernames a message mentions as `@name`. Emails do not count. */
export function mentionedNames(content: string): string[] {
  const names = new Set<string>();
  for (const match of content.matchAll(MENTION)) {
    // A trailing dot ends a sentence more often than a name.
    names.add((match[1] as string).replace(/\.+$/, '').toLowerCase());
  }
  return [...names].filter((n) => n.length >= 2);
}

/**
 * `@everyone` or `@here` as the content writes them (the same word rules as `@name`; `everyone`
 * wins when both appear); undefined when neither does. Whether it mentions anyone is the caller's
 * decision (the sender's right, a server channel).
 */
export function everyoneWord(names: readonly string[]): 'everyone' | 'here' | undefined {
  if (names.includes('everyone')) return 'everyone';
  if (names.includes('here')) return 'here';
  return undefined;
}
