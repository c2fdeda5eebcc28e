import type { highlight } from './highlighter';

type Highlight = typeof highlight;

let loading: Promise<Highlight> | undefined;
let loaded: Highlight | undefined;

/** The highlighter once loaded (to render at once, without a flash of plain code), else undefined. */
export const loadedHighlighter = (): Highlight | undefined => loaded;

/** Loads the highlighter's chunk once; every code block waits on the same promise. */
export function loadHighlighter(): Promise<Highlight> {
  loading ??= import('./highlighter').then((m) => {
    loaded = m.highlight;
    return m.highlight;
  });
  return loading;
}
