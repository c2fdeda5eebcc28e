import * as z from 'zod';
import { IdSchema } from './common.js';
import type { RouteSpec } from './routes.js';
import { ServerSchema } from './servers.js';
import { ImageHashSchema, UserSchema } from './users.js';

export const AvatarParamsSchema = z.strictObject({ hash: ImageHashSchema });
const ServerIconParamsSchema = z.strictObject({ serverId: IdSchema });

export const AvatarImageSchema = z
  .string()
  .meta({ id: 'AvatarImage', format: 'binary', description: 'A 256×256 webp (image/webp)' });

const IMAGE_ERRORS = [
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'payload_too_large',
  'rate_limited',
] as const;

/**
 * Avatars and server icons (merged into ROUTES). An upload is the picture's bytes (PNG, JPEG,
 * WebP, GIF or AVIF, at most MAX_AVATAR_UPLOAD_BYTES); the server keeps a 256×256 webp of it.
 */
export const AVATAR_ROUTES = {
  setAvatar: {
    method: 'PUT',
    path: '/api/users/@me/avatar',
    auth: 'user',
    upload: true,
    status: 200,
    response: UserSchema,
    errors: IMAGE_ERRORS,
    tags: ['users'],
    summary:
      'Set my avatar: the body is an image (PNG, JPEG, WebP, GIF, AVIF; ≤ 8 MB), kept as a 256×256 webp (centre-cropped, first frame, no metadata)',
  },
  deleteAvatar: {
    method: 'DELETE',
    path: '/api/users/@me/avatar',
    auth: 'user',
    status: 204,
    response: z.null(),
    tags: ['users'],
    summary: 'Remove my avatar (the coloured initials show again)',
  },
  setServerIcon: {
    method: 'PUT',
    path: '/api/servers/:serverId/icon',
    auth: 'user',
    params: ServerIconParamsSchema,
    upload: true,
    status: 200,
    response: ServerSchema,
    errors: IMAGE_ERRORS,
    tags: ['servers'],
    summary: 'Set a server’s icon (owner): an image as for the avatar, kept as a 256×256 webp',
  },
  deleteServerIcon: {
    method: 'DELETE',
    path: '/api/servers/:serverId/icon',
    auth: 'user',
    params: ServerIconParamsSchema,
    status: 204,
    response: z.null(),
    tags: ['servers'],
    summary: 'Remove a server’s icon (owner)',
  },
  getAvatar: {
    method: 'GET',
    path: '/api/avatars/:hash',
    auth: 'user',
    params: AvatarParamsSchema,
    status: 200,
    response: AvatarImageSchema,
    download: 'image/webp',
    errors: ['invalid_input', 'unauthorized', 'not_found', 'rate_limited'],
    tags: ['users'],
    summary: 'An avatar or server icon by its hash (any logged-in user); cached for good, it never changes',
  },
} as const satisfies Record<string, RouteSpec>;
