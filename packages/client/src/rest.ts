import {
  type AuthResponse,
  type Channel,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  type ErrorBody,
  ErrorBodySchema,
  type ErrorCode,
  type FriendRequest,
  type Friends,
  type InviteResponse,
  type LoginBody,
  type Member,
  type Message,
  type Permissions,
  type Server,
  type ServerInvite,
  type SignupBody,
  type User,
  type UserRef,
  type UserSearchResult,
} from '@decentra/protocol';

/** A history page query: `before`/`after` are message ids, `limit` 1–100. */
export interface HistoryPage {
  before?: string;
  after?: string;
  limit?: number;
}

/** A refusal from the server, in the contract's error shape. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly details?: unknown,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export interface RestClientOptions {
  /** Origin of the server, e.g. `https://localhost:8765`; empty for same-origin (the web app). */
  baseUrl?: string;
  /** Bearer token (desktop apps, scripts, the CLI). Without it the browser's session cookie is used. */
  token?: string;
  fetch?: typeof fetch;
}

/** Typed REST calls of the contract. One instance per logged-in user. */
export class RestClient {
  private readonly baseUrl: string;
  private readonly doFetch: typeof fetch;
  token: string | undefined;

  constructor(options: RestClientOptions = {}) {
    this.baseUrl = options.baseUrl?.replace(/\/$/, '') ?? '';
    this.token = options.token;
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async signup(body: SignupBody): Promise<AuthResponse> {
    const res = await this.request<AuthResponse>('POST', '/api/auth/signup', body);
    this.token = res.token;
    return res;
  }

  async login(body: LoginBody): Promise<AuthResponse> {
    const res = await this.request<AuthResponse>('POST', '/api/auth/login', body);
    this.token = res.token;
    return res;
  }

  async logout(): Promise<void> {
    await this.request<void>('POST', '/api/auth/logout');
    this.token = undefined;
  }

  me(): Promise<User> {
    return this.request<User>('GET', '/api/users/@me');
  }

  createInvite(): Promise<InviteResponse> {
    return this.request<InviteResponse>('POST', '/api/invites');
  }

  // Servers and members
  listServers = (): Promise<Server[]> => this.request('GET', '/api/servers');
  getServer = (id: string): Promise<Server> => this.request('GET', `/api/servers/${id}`);
  createServer = (name: string): Promise<Server> => this.request('POST', '/api/servers', { name });
  renameServer = (id: string, name: string): Promise<Server> =>
    this.request('PATCH', `/api/servers/${id}`, { name });
  deleteServer = (id: string): Promise<void> => this.request('DELETE', `/api/servers/${id}`);
  createServerInvite = (id: string): Promise<ServerInvite> =>
    this.request('POST', `/api/servers/${id}/invites`, {});
  joinServer = (inviteCode: string): Promise<Server> =>
    this.request('POST', '/api/servers/join', { inviteCode });
  listMembers = (id: string): Promise<Member[]> => this.request('GET', `/api/servers/${id}/members`);
  updateMember = (id: string, userId: string, permissions: Partial<Permissions>): Promise<Member> =>
    this.request('PATCH', `/api/servers/${id}/members/${userId}`, { permissions });
  removeMember = (id: string, userId: string): Promise<void> =>
    this.request('DELETE', `/api/servers/${id}/members/${userId}`);
  leaveServer = (id: string): Promise<void> => this.request('DELETE', `/api/servers/${id}/members/@me`);

  // Channels and messages
  createChannel = (serverId: string, name: string, type: 'text' | 'voice'): Promise<Channel> =>
    this.request('POST', `/api/servers/${serverId}/channels`, { name, type });
  renameChannel = (id: string, name: string): Promise<Channel> =>
    this.request('PATCH', `/api/channels/${id}`, { name });
  deleteChannel = (id: string): Promise<void> => this.request('DELETE', `/api/channels/${id}`);
  messages = (channelId: string, page: HistoryPage = {}): Promise<Message[]> => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(page)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString() ? `?${q.toString()}` : '';
    return this.request('GET', `/api/channels/${channelId}/messages${qs}`);
  };
  sendMessage = (channelId: string, content: string, nonce?: string): Promise<Message> =>
    this.request('POST', `/api/channels/${channelId}/messages`, nonce ? { content, nonce } : { content });
  editMessage = (channelId: string, id: string, content: string): Promise<Message> =>
    this.request('PATCH', `/api/channels/${channelId}/messages/${id}`, { content });
  deleteMessage = (channelId: string, id: string): Promise<void> =>
    this.request('DELETE', `/api/channels/${channelId}/messages/${id}`);

  // Friends, DMs, users
  friends = (): Promise<Friends> => this.request('GET', '/api/friends');
  sendFriendRequest = (username: string): Promise<FriendRequest> =>
    this.request('POST', '/api/friends/requests', { username });
  acceptFriendRequest = (id: string): Promise<UserRef> =>
    this.request('POST', `/api/friends/requests/${id}/accept`);
  deleteFriendRequest = (id: string): Promise<void> => this.request('DELETE', `/api/friends/requests/${id}`);
  removeFriend = (userId: string): Promise<void> => this.request('DELETE', `/api/friends/${userId}`);
  listDms = (): Promise<Channel[]> => this.request('GET', '/api/dms');
  openDm = (userId: string): Promise<Channel> => this.request('POST', '/api/dms', { userId });
  searchUsers = (q: string): Promise<UserSearchResult[]> =>
    this.request('GET', `/api/users/search?q=${encodeURIComponent(q)}`);

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { [CSRF_HEADER]: CSRF_HEADER_VALUE };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.doFetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new ApiError(0, 'network', `Could not reach the server: ${(err as Error).message}`);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw toApiError(res, json);
    return json as T;
  }
}

function toApiError(res: Response, json: unknown): ApiError {
  const parsed = ErrorBodySchema.safeParse(json);
  const retry = Number(res.headers.get('retry-after'));
  if (!parsed.success) return new ApiError(res.status, 'internal', `The server answered ${res.status}.`);
  const { code, message, details }: ErrorBody['error'] = parsed.data.error;
  return new ApiError(
    res.status,
    code,
    message,
    details,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}
