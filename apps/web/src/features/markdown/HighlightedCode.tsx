import type { ReactNode } from 'react';
import type { HighlightTree } from './highlighter';

type HastChild = HighlightTree['children'][number];

/**
 * The highlighter's syntax tree as React elements: every element becomes a <span> with its
 * classes (`hljs-keyword`, …), every text a text node. Nothing else from the tree is used, so
 * whatever a grammar produced, no markup or attribute of the code's text reaches the page.
 */
export function HighlightedCode({ tree }: { tree: HighlightTree }) {
  return <>{tree.children.map(renderChild)}</>;
}

function renderChild(node: HastChild, index: number): ReactNode {
  if (node.type === 'text') return node.value;
  if (node.type !== 'element') return null;
  const className = node.properties.className;
  const classes = Array.isArray(className) ? className.filter((c) => typeof c === 'string').join(' ') : '';
  return (
    <span key={index} className={classes || undefined}>
      {node.children.map(renderChild)}
    </span>
  );
}
