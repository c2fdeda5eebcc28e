import { describe, expect, it } from 'vitest';
import { AVATAR_COLORS, avatarColor } from './avatar-color';

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

describe('avatarColor', () => {
  it('gives white text at least AA contrast (4.5:1) on every colour', () => {
    for (const c of AVATAR_COLORS) expect(1.05 / (luminance(c) + 0.05), c).toBeGreaterThanOrEqual(4.5);
  });

  it('is the same for the same id, every time', () => {
    expect(avatarColor('123456789012345678')).toBe(avatarColor('123456789012345678'));
  });

  it('spreads consecutive snowflake ids over the whole palette', () => {
    const base = 7_300_000_000_000_000_000n;
    const used = new Map<string, number>();
    for (let i = 0n; i < 800n; i++) {
      const c = avatarColor((base + i * 4096n).toString());
      used.set(c, (used.get(c) ?? 0) + 1);
    }
    expect([...used.keys()].sort()).toEqual([...AVATAR_COLORS].sort());
    // No colour takes more than twice its fair share.
    for (const n of used.values()) expect(n).toBeLessThan(200);
  });

  it('tells two users with the same initials apart', () => {
    const colours = new Set(['1', '2', '3', '4', '5', '6'].map(avatarColor));
    expect(colours.size).toBeGreaterThan(1);
  });
});
