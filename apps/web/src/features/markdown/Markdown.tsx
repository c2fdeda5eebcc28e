import type { ReactNode } from 'react';
import { CodeBlock } from './CodeBlock';
import type { MdNode } from './md-tree';
import { Spoiler } from './Spoiler';

/**
 * A parsed message as React elements (never HTML). `me` is my username, lowercased, to mark
 * mentions of me.
 */
export function Markdown({ nodes, me }: { nodes: readonly MdNode[]; me: string | undefined }) {
  return <>{renderNodes(nodes, me)}</>;
}

function renderNodes(nodes: readonly MdNode[], me: string | undefined): ReactNode[] {
  return nodes.map((node, i) => renderNode(node, `${i}-${node.type}`, me));
}

function renderNode(node: MdNode, key: string, me: string | undefined): ReactNode {
  const inner = () => ('children' in node ? renderNodes(node.children, me) : null);
  switch (node.type) {
    case 'text':
      return <span key={key}>{node.text}</span>;
    case 'br':
      // A newline in the pre-wrap text, not <br>: copying the message gives back its lines.
      return '\n';
    case 'strong':
      return <strong key={key}>{inner()}</strong>;
    case 'em':
      return <em key={key}>{inner()}</em>;
    case 'underline':
      return <u key={key}>{inner()}</u>;
    case 'strike':
      return <s key={key}>{inner()}</s>;
    case 'spoiler':
      return <Spoiler key={key}>{inner()}</Spoiler>;
    case 'inlineCode':
      return (
        <code key={key} className="md-code">
          {node.code}
        </code>
      );
    case 'codeBlock':
      return <CodeBlock key={key} lang={node.lang} code={node.code} />;
    case 'quote':
      return (
        <blockquote key={key} className="md-quote">
          {inner()}
        </blockquote>
      );
    case 'heading': {
      const Tag = node.level === 1 ? 'h3' : node.level === 2 ? 'h4' : 'h5';
      return (
        <Tag key={key} className={`md-heading md-h${node.level}`}>
          {inner()}
        </Tag>
      );
    }
    case 'list': {
      const items = node.items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a message's list is rendered whole, never reordered.
        <li key={i}>{renderNodes(item, me)}</li>
      ));
      return node.ordered ? (
        <ol key={key} className="md-list" start={node.start}>
          {items}
        </ol>
      ) : (
        <ul key={key} className="md-list">
          {items}
        </ul>
      );
    }
    case 'link':
      return (
        <a key={key} href={node.href} target="_blank" rel="noopener noreferrer">
          {node.text}
        </a>
      );
    case 'mention':
      return (
        <span key={key} className={`mention${node.username.toLowerCase() === me ? ' mention-me' : ''}`}>
          {node.text}
        </span>
      );
  }
}
