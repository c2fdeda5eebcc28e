import {
  ChatSession,
  createChatStore,
  GatewayClient,
  localOutbox,
  RestClient,
  resetChatStore,
} from '@decentra/client';
import { CLOSE_CODES } from '@decentra/protocol';
import { create } from 'zustand';
import { voice } from '../features/voice/voice-controller';

/** The one REST client of the page: same origin, the session cookie (set at login) authenticates. */
export const rest = new RestClient();

/** The normalised chat state, fed by the gateway and REST answers (see packages/client/src/store). */
export const chatStore = createChatStore();

export type AuthStatus = 'checking' | 'anonymous' | 'authenticated';

interface AuthState {
  status: AuthStatus;
  /** Why the user was sent back to the login page, if not by choice. */
  notice: string | null;
}

export const useAuth = create<AuthState>(() => ({ status: 'checking', notice: null }));

let session: ChatSession | null = null;

/** The live session; only call while authenticated. */
export function chat(): ChatSession {
  if (!session) throw new Error('Not logged in');
  return session;
}

/** Opens the gateway for the logged-in user (cookie or the token from login). */
export function startSession(): void {
  session?.stop();
  const gateway = new GatewayClient(rest.token ? { token: rest.token } : {});
  // The outbox is kept per user in this browser: messages waiting for the rate limit survive a reload.
  const s = new ChatSession(chatStore, gateway, rest, Date.now, (userId) =>
    localOutbox(userId, window.localStorage),
  );
  session = s;
  gateway.on('closed', ({ code }) => {
    if (session !== s || code === 1000) return;
    endSession(closedNotice(code));
  });
  useAuth.setState({ status: 'authenticated', notice: null });
  voice.attach(s, rest);
  s.start().catch(() => undefined);
}

/** Why the server ended the session, in the words the login page shows. */
function closedNotice(code: number): string {
  switch (code) {
    case CLOSE_CODES.accountDisabled:
      return 'Your account has been disabled by an admin.';
    case CLOSE_CODES.sessionRevoked:
      return 'You were logged out.';
    default:
      return 'Your session has ended. Please log in again.';
  }
}

export function endSession(notice: string | null = null): void {
  voice.detach();
  const s = session;
  session = null;
  s?.stop();
  rest.token = undefined;
  resetChatStore(chatStore);
  useAuth.setState({ status: 'anonymous', notice });
}

/** On page load: a valid session cookie means we are logged in. */
export async function restoreSession(): Promise<void> {
  try {
    await rest.me();
    startSession();
  } catch {
    useAuth.setState({ status: 'anonymous' });
  }
}

export async function logout(): Promise<void> {
  const me = chatStore.getState().me;
  try {
    await rest.logout();
  } finally {
    endSession();
    // Logging out drops what was still waiting to be sent: nothing of mine stays in a shared browser.
    if (me) localOutbox(me.id, window.localStorage).save([]);
  }
}
