import { useEffect, useMemo, useState } from 'react';
import { HighlightedCode } from './HighlightedCode';
import { loadedHighlighter, loadHighlighter } from './load-highlighter';

/**
 * A fenced code block. With a language, the highlighter's chunk is loaded (once, on the first
 * such block) and the code re-renders highlighted; until then, and for unknown languages, plain.
 */
export function CodeBlock({ lang, code }: { lang: string; code: string }) {
  const [highlight, setHighlight] = useState(loadedHighlighter);
  useEffect(() => {
    if (!lang || highlight) return;
    let live = true;
    loadHighlighter()
      .then((h) => {
        if (live) setHighlight(() => h);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [lang, highlight]);
  const tree = useMemo(
    () => (lang && highlight ? highlight(lang, code) : undefined),
    [lang, code, highlight],
  );
  return (
    <pre className="md-codeblock">
      <code className={tree ? `hljs language-${lang}` : undefined}>
        {tree ? <HighlightedCode tree={tree} /> : code}
      </code>
    </pre>
  );
}
