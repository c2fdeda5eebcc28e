import { MENTION_COUNT_CAP } from '@decentra/protocol';

const SIZE = 32;
let normal: string | null = null;
const drawn = new Map<string, string>();

/** The page's icon link (index.html has one; made if not). */
function iconLink(): HTMLLinkElement {
  const found = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (found) return found;
  const link = document.createElement('link');
  link.rel = 'icon';
  link.href = 'data:,';
  document.head.append(link);
  return link;
}

/**
 * The tab's icon: a red badge with the count while there are unread mentions, drawn on a canvas
 * (a data: URL, which img-src allows), and the normal icon again at zero.
 */
export function setFaviconCount(count: number): void {
  const link = iconLink();
  normal ??= link.getAttribute('href') ?? 'data:,';
  const href = count > 0 ? (badge(count) ?? normal) : normal;
  if (link.getAttribute('href') !== href) link.href = href;
}

function badge(count: number): string | null {
  const text = count >= MENTION_COUNT_CAP ? '99+' : String(count);
  const cached = drawn.get(text);
  if (cached) return cached;
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#da373c';
  ctx.beginPath();
  ctx.arc(SIZE / 2, SIZE / 2, SIZE / 2, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.font = `bold ${text.length > 2 ? 13 : text.length > 1 ? 17 : 22}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, SIZE / 2, SIZE / 2 + 1);
  const url = canvas.toDataURL('image/png');
  drawn.set(text, url);
  return url;
}
