import type { Embed } from './parse-embeds';

/** One embed. Only URLs the parser accepted (http/https) get here; nothing is HTML. */
export function EmbedView({ embed }: { embed: Embed }) {
  switch (embed.kind) {
    case 'image':
      return (
        <a className="embed embed-image" href={embed.url} target="_blank" rel="noopener noreferrer">
          <img
            src={embed.url}
            alt={fileName(embed.url)}
            loading="lazy"
            decoding="async"
            referrerPolicy="no-referrer"
          />
        </a>
      );
    case 'video':
      return (
        // biome-ignore lint/a11y/useMediaCaption: user-posted videos come without captions.
        <video
          className="embed embed-video"
          src={embed.url}
          controls
          preload="metadata"
          aria-label="Embedded video"
        />
      );
    case 'youtube':
      return (
        <iframe
          className="embed embed-youtube"
          src={embed.embedUrl}
          title={`YouTube video ${embed.videoId}`}
          sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"
          allow="accelerometer; encrypted-media; gyroscope; picture-in-picture; fullscreen"
          referrerPolicy="strict-origin-when-cross-origin"
          loading="lazy"
        />
      );
  }
}

/** The last path segment, for the alt text ("cat.png"). */
function fileName(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last) || 'linked file';
  } catch {
    return last || 'linked file';
  }
}
