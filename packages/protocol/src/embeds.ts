import * as z from 'zod';

/** A picture or video of an embed, always through this server's media proxy (a signed path). */
export const EmbedMediaSchema = z
  .object({
    url: z.string(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
  })
  .meta({ id: 'EmbedMedia' });
export type EmbedMedia = z.infer<typeof EmbedMediaSchema>;

/** At most this many embeds under one message. */
export const MAX_EMBEDS_PER_MESSAGE = 5;

/**
 * What the server found behind a link of a message (fetched by the server, never by readers):
 * `image`/`video` for a link to the file itself, `youtube` for a video there (the player is
 * YouTube's privacy-enhanced frame, loaded on a click), `link` for a page's OpenGraph card.
 */
export const LinkEmbedSchema = z
  .object({
    /** The link as written in the message. */
    url: z.string(),
    kind: z.enum(['link', 'image', 'video', 'youtube']),
    title: z.string().optional(),
    description: z.string().optional(),
    siteName: z.string().optional(),
    /** `youtube`: the video's id. */
    youtubeId: z.string().optional(),
    image: EmbedMediaSchema.optional(),
    video: EmbedMediaSchema.optional(),
  })
  .meta({ id: 'LinkEmbed' });
export type LinkEmbed = z.infer<typeof LinkEmbedSchema>;

/** `GET /api/media/proxy`: a picture or video of an embed, fetched by the server (the URL must carry our signature). */
export const MediaProxyQuerySchema = z.strictObject({
  url: z.string().min(1).max(4096),
  sig: z.string().min(1).max(128),
});
export type MediaProxyQuery = z.infer<typeof MediaProxyQuerySchema>;

export const ProxiedMediaSchema = z
  .string()
  .meta({ id: 'ProxiedMedia', format: 'binary', description: 'A raster image or an MP4/WebM/Ogg video' });
