/** "ann, ben and 3 others" from the first names and the count; the viewer is "You". */
export function whoReactedText(names: readonly string[], count: number): string {
  const shown = names.slice(0, 3);
  const others = count - shown.length;
  if (others <= 0) {
    if (shown.length <= 1) return shown[0] ?? '';
    return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
  }
  return `${shown.join(', ')} and ${others} ${others === 1 ? 'other' : 'others'}`;
}
