import type { EmbedMedia, LinkEmbed } from '@decentra/protocol';
import { useState } from 'react';

/**
 * One of the server's link previews. Pictures and videos are paths on our own origin (the media
 * proxy), so the browser never contacts the linked host; the YouTube player is loaded only on a
 * click. Texts are the page's words, rendered as text. Boxes take their size before loading.
 */
export function EmbedView({ embed }: { embed: LinkEmbed }) {
  switch (embed.kind) {
    case 'image':
      return embed.image ? (
        <a className="embed embed-image" href={embed.url} target="_blank" rel="noopener noreferrer">
          <img
            src={embed.image.url}
            alt={fileName(embed.url)}
            loading="lazy"
            decoding="async"
            style={ratio(embed.image)}
          />
        </a>
      ) : null;
    case 'video':
      return embed.video ? (
        // biome-ignore lint/a11y/useMediaCaption: user-posted videos come without captions.
        <video
          className="embed embed-video"
          src={embed.video.url}
          controls
          preload="metadata"
          aria-label="Embedded video"
          style={ratio(embed.video)}
        />
      ) : null;
    case 'youtube':
      return <YoutubeEmbed embed={embed} />;
    case 'link':
      return <LinkCard embed={embed} />;
  }
}

function LinkCard({ embed }: { embed: LinkEmbed }) {
  return (
    <article className="embed embed-card">
      {embed.siteName && <div className="embed-site">{embed.siteName}</div>}
      {embed.title && (
        <a className="embed-title" href={embed.url} target="_blank" rel="noopener noreferrer">
          {embed.title}
        </a>
      )}
      {embed.description && <p className="embed-description">{embed.description}</p>}
      {embed.video ? (
        // biome-ignore lint/a11y/useMediaCaption: user-posted videos come without captions.
        <video
          className="embed-card-media"
          src={embed.video.url}
          controls
          preload="metadata"
          aria-label="Embedded video"
          style={ratio(embed.video)}
        />
      ) : (
        embed.image && (
          <img
            className="embed-card-media"
            src={embed.image.url}
            alt=""
            loading="lazy"
            decoding="async"
            style={ratio(embed.image)}
          />
        )
      )}
    </article>
  );
}

/** The thumbnail (through the proxy) and a play button; YouTube's privacy-enhanced player only on a click. */
function YoutubeEmbed({ embed }: { embed: LinkEmbed }) {
  const [playing, setPlaying] = useState(false);
  const id = embed.youtubeId;
  if (!id) return null;
  const title = embed.title ?? `YouTube video ${id}`;
  return (
    <article className="embed embed-card embed-youtube-card">
      <div className="embed-site">{embed.siteName ?? 'YouTube'}</div>
      <a className="embed-title" href={embed.url} target="_blank" rel="noopener noreferrer">
        {title}
      </a>
      {embed.description && <p className="embed-description">{embed.description}</p>}
      {playing ? (
        <iframe
          className="embed-youtube"
          src={`https://www.youtube-nocookie.com/embed/${encodeURIComponent(id)}?autoplay=1`}
          title={title}
          sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"
          allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture; fullscreen"
          referrerPolicy="strict-origin-when-cross-origin"
        />
      ) : (
        <button
          type="button"
          className="embed-youtube embed-play"
          onClick={() => setPlaying(true)}
          aria-label={`Play ${title}`}
        >
          {embed.image && <img src={embed.image.url} alt="" loading="lazy" decoding="async" />}
          <span className="embed-play-icon" aria-hidden="true">
            ▶
          </span>
        </button>
      )}
    </article>
  );
}

/** The box's shape from the media's known size, so nothing moves when it loads. */
function ratio(media: EmbedMedia): { aspectRatio: string } | undefined {
  return media.width && media.height ? { aspectRatio: `${media.width} / ${media.height}` } : undefined;
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
