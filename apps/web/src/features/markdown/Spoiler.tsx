import { type ReactNode, useState } from 'react';

/**
 * `||hidden||`: a dark bar until clicked (or Enter / Space on it). Hidden, its text is kept from
 * screen readers and its links from clicks (`inert`); the bar itself reads "Spoiler, hidden".
 */
export function Spoiler({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState(false);
  if (shown) return <span className="spoiler revealed">{children}</span>;
  return (
    // biome-ignore lint/a11y/useSemanticElements: it wraps any message content, links and blocks included, which a <button> may not hold.
    <span
      className="spoiler"
      role="button"
      tabIndex={0}
      aria-label="Spoiler, hidden. Press to reveal."
      onClick={() => setShown(true)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          setShown(true);
        }
      }}
    >
      <span className="spoiler-content" aria-hidden="true" inert>
        {children}
      </span>
    </span>
  );
}
