/**
 * Default avatar backgrounds: eight hues dark enough that white initials pass WCAG AA
 * (4.5:1 for normal text), so every one of them reads at the avatar's small size.
 */
export const AVATAR_COLORS = [
  '#4752c4', // blurple
  '#1d7a46', // green
  '#b42a2a', // red
  '#8a3fb8', // purple
  '#a34a00', // burnt orange
  '#0e6f8a', // teal
  '#b0236e', // magenta
  '#50616e', // slate
] as const;

/** The same colour for a user id on every screen and every device (FNV-1a of the id). */
export function avatarColor(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return AVATAR_COLORS[hash % AVATAR_COLORS.length] ?? AVATAR_COLORS[0];
}
