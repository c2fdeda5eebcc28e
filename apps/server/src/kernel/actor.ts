import type { UserRow } from '../storage/rows.js';

/** Who does something, as every service sees them. Ids are bigint inside the server, strings on the wire. */
export interface Actor {
  id: bigint;
  username: string;
  /** Their avatar when the request (or socket) was authenticated; what messages they send show. */
  avatarHash?: string | null;
}

/** A logged-in caller: the user and the login session (token) they came with. */
export interface AuthContext {
  actor: Actor;
  user: UserRow;
  /** The login session's id (the `sessions` row), which logout and revocation end. */
  sessionId: bigint;
}

/** Looks a bearer token up; undefined for a token that is unknown, expired or revoked. */
export type Authenticate = (token: string) => Promise<AuthContext | undefined>;

export function authContext(user: UserRow, sessionId: bigint): AuthContext {
  return { actor: { id: user.id, username: user.username, avatarHash: user.avatarHash }, user, sessionId };
}
