import { common, createLowlight } from 'lowlight';

/**
 * The syntax highlighter: lowlight (highlight.js grammars, giving a syntax tree, never HTML) with
 * highlight.js's common languages. Imported only through `load-highlighter.ts`, so it is a chunk
 * of its own that loads the first time a code block with a language is on screen.
 */
const lowlight = createLowlight(common);

export type HighlightTree = ReturnType<typeof lowlight.highlight>;

/** The highlighted tree of `code`, or undefined for a language highlight.js does not know. */
export function highlight(lang: string, code: string): HighlightTree | undefined {
  if (!lang || !lowlight.registered(lang)) return undefined;
  return lowlight.highlight(lang, code);
}
