import {
  type AuthResponse,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  type ErrorBody,
  ErrorBodySchema,
  type ErrorCode,
  type InviteResponse,
  type LoginBody,
  type SignupBody,
  type User,
} from '@decentra/protocol';

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
