/** The syntax tree a message's markdown parses into; rendered to React elements, never to HTML. */
export type MdNode =
  | { type: 'text'; text: string }
  | { type: 'br' }
  | { type: 'strong' | 'em' | 'underline' | 'strike' | 'spoiler'; children: MdNode[] }
  | { type: 'inlineCode'; code: string }
  | { type: 'codeBlock'; lang: string; code: string }
  | { type: 'quote'; children: MdNode[] }
  | { type: 'heading'; level: 1 | 2 | 3; children: MdNode[] }
  | { type: 'list'; ordered: boolean; start: number; items: MdNode[][] }
  /** An http(s) URL, accepted by the same rules as before markdown (features/embeds). */
  | { type: 'link'; text: string; href: string }
  | { type: 'mention'; text: string; username: string };

/** Nodes that lay out as blocks: a line break right after one would only add an empty line. */
export const BLOCK_TYPES: ReadonlySet<MdNode['type']> = new Set(['codeBlock', 'quote', 'heading', 'list']);
