import { createHmac } from 'node:crypto';
import type { IceServer } from '@decentra/protocol';
import type { VoiceConfig } from '../../config.js';

/**
 * The TURN REST API's credential (draft-uberti-behave-turn-rest, coturn's `use-auth-secret`):
 * base64(HMAC-SHA1(shared secret, username)). The TURN server recomputes it from the username and
 * the secret it shares with us, so nothing is stored and nothing is sent between the two servers.
 */
export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * What a browser gets from GET /api/voice/ice-servers: the configured servers (STUN, or TURN with
 * fixed credentials), then, with a TURN secret, that TURN server with a credential for this user
 * that expires `ttlSeconds` from now. The username is `<expiry unix seconds>:<user id>`: coturn
 * refuses it once the expiry has passed, and logs which user relayed.
 */
export function iceServersFor(voice: VoiceConfig, userId: bigint, nowMs: number): IceServer[] {
  const { iceServers, turn } = voice;
  if (!turn) return iceServers;
  const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${userId}`;
  return [...iceServers, { urls: turn.urls, username, credential: turnCredential(turn.secret, username) }];
}
