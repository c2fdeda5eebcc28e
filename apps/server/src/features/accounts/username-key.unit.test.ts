import { USERNAME_PATTERN, usernameKey } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';

describe('usernameKey (the protocol’s one comparison form of a name)', () => {
  it.each([
    ['Alice', 'alice'],
    ['ＡＬＩＣＥ', 'alice'],
    ['\u212aate', 'kate'],
    ['\u017fam', 'sam'],
    ['ﬁne', 'fine'],
    ['al\u200bi\u2060ce', 'alice'],
    ['\u202eecila\u202c', 'ecila'],
    ['\uffa0x\u3164', 'x'],
    // The default (not the Turkish) lower case: İ is i + COMBINING DOT ABOVE, and ı stays ı.
    ['alİce', 'ali\u0307ce'],
    ['alıce', 'alıce'],
  ])('%j → %j', (typed, key) => {
    expect(usernameKey(typed)).toBe(key);
  });

  it('is stable: the key of a key is itself', () => {
    for (const s of ['ÅNGSTRÖM', '\u212b', 'ǅemal', 'ΣΊΣΥΦΟΣ', 'Straße', 'alİce', 'a\u0301\u034f\u0323b']) {
      const key = usernameKey(s);
      expect(usernameKey(key)).toBe(key);
    }
  });

  it('is the ASCII lower case for every signup name, as the database column computes it', () => {
    const ascii = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-';
    expect(USERNAME_PATTERN.test(ascii)).toBe(true);
    const translated = ascii.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
    expect(usernameKey(ascii)).toBe(translated);
  });
});
