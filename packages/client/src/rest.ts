import {
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  type ErrorBody,
  ErrorBodySchema,
  type ErrorCode,
  type RefusalReason,
  ROUTE_NAMES,
  ROUTES,
  type RouteInput,
  type RouteName,
  type RouteOutput,
  type RouteSpec,
  refusalReason,
} from '@decentra/protocol';

/** A refusal from the server, in the contract's error shape (or `network`: no answer at all). */
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

  /** Why it was refused, when the contract names a reason for this code (docs/api.md). */
  get reason(): RefusalReason | undefined {
    return refusalReason(this.code, this.details);
  }
}

export interface RestClientOptions {
  /** Origin of the server, e.g. `https://localhost:8765`; empty for same-origin (the web app). */
  baseUrl?: string;
  /** Bearer token (desktop apps, scripts, the CLI). Without it the browser's session cookie is used. */
  token?: string;
  fetch?: typeof fetch;
  /**
   * Check every answer against the contract (tests do): an answer with another success status,
   * one that does not match its schema, or one that carries a field the schema does not name
   * (which parsing would quietly drop) throws.
   */
  validate?: boolean;
}

/** One method per operation of the contract, named as in ROUTES, taking params, query and body in one object. */
type Empty = Record<never, never>;
export type RestMethods = {
  [N in RouteName]: Empty extends RouteInput<N>
    ? (input?: RouteInput<N>) => Promise<RouteOutput<N>>
    : (input: RouteInput<N>) => Promise<RouteOutput<N>>;
};

// The methods are made from the route table in the constructor (declaration merging types them).
export interface RestClient extends RestMethods {}

/**
 * The SDK's REST client, made from the route contract (packages/protocol routes.ts): a method
 * for every operation, so that server and clients cannot drift. `signup` and `login` keep the
 * token they answer; `logout` drops it.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above is what the constructor fills in.
export class RestClient {
  token: string | undefined;
  private readonly baseUrl: string;
  private readonly doFetch: typeof fetch;
  private readonly validate: boolean;

  constructor(options: RestClientOptions = {}) {
    this.baseUrl = options.baseUrl?.replace(/\/$/, '') ?? '';
    this.token = options.token;
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.validate = options.validate ?? false;
    const methods: Record<string, (input?: Record<string, unknown>) => Promise<unknown>> = {};
    for (const name of ROUTE_NAMES) methods[name] = (input = {}) => this.call(ROUTES[name], input);
    Object.assign(this, methods);
  }

  private async call(spec: RouteSpec, input: Record<string, unknown>): Promise<unknown> {
    const rest = { ...input };
    const path = spec.path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
      const value = rest[key];
      delete rest[key];
      return encodeURIComponent(String(value));
    });
    const query = new URLSearchParams();
    for (const key of Object.keys(spec.query?.shape ?? {})) {
      const value = rest[key];
      delete rest[key];
      if (value !== undefined) query.set(key, String(value));
    }
    const qs = query.size > 0 ? `?${query.toString()}` : '';
    const { status, answer } = await this.request(
      spec.method,
      `${path}${qs}`,
      requestBody(spec, rest),
      spec.download !== undefined,
    );
    if (this.validate && status !== spec.status) {
      throw new Error(`${spec.method} ${spec.path} answered ${status}; the contract says ${spec.status}`);
    }
    const result =
      this.validate && spec.status !== 204 && spec.download === undefined ? checked(spec, answer) : answer;
    if (spec.session === 'start' && isTokenAnswer(result)) this.token = result.token;
    if (spec.session === 'end') this.token = undefined;
    return result;
  }

  private async request(
    method: string,
    path: string,
    body?: RequestBody,
    download = false,
  ): Promise<{ status: number; answer: unknown }> {
    const headers: Record<string, string> = { [CSRF_HEADER]: CSRF_HEADER_VALUE };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = body.type;
    let res: Response;
    try {
      res = await this.doFetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body?.data,
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new ApiError(0, 'network', `Could not reach the server: ${(err as Error).message}`);
    }
    if (res.status === 204) return { status: 204, answer: undefined };
    if (download && res.ok) return { status: res.status, answer: new Uint8Array(await res.arrayBuffer()) };
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError(res.status, 'internal', `The server answered ${res.status} without JSON.`);
    }
    if (!res.ok) throw toApiError(res, json);
    return { status: res.status, answer: json };
  }
}

interface RequestBody {
  type: string;
  data: string | Blob | Uint8Array<ArrayBuffer>;
}

/**
 * What a call sends: the remaining fields as JSON, or an upload's bytes as they are (fetch gives
 * a Blob or a byte array its Content-Length, which the server requires).
 */
export function requestBody(spec: RouteSpec, rest: Record<string, unknown>): RequestBody | undefined {
  if (spec.upload) {
    const bytes = rest.body;
    if (bytes instanceof Blob) return { type: 'application/octet-stream', data: bytes };
    if (bytes instanceof Uint8Array) return { type: 'application/octet-stream', data: new Uint8Array(bytes) };
    return undefined;
  }
  return spec.body ? { type: 'application/json', data: JSON.stringify(rest) } : undefined;
}

/** The answer parsed by its schema; throws when it does not match or holds fields beyond it. */
function checked(spec: RouteSpec, answer: unknown): unknown {
  const parsed = spec.response.parse(answer);
  const extra = fieldsBeyond(answer, parsed, '');
  if (extra.length > 0) {
    throw new Error(`${spec.method} ${spec.path} answered fields outside the contract: ${extra.join(', ')}`);
  }
  return parsed;
}

/** Paths of the object keys in `sent` that `kept` (its parse) no longer has. */
function fieldsBeyond(sent: unknown, kept: unknown, path: string): string[] {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    return sent.flatMap((item, i) => fieldsBeyond(item, kept[i], `${path}[${i}]`));
  }
  if (!isRecord(sent) || !isRecord(kept)) return [];
  return Object.keys(sent).flatMap((key) =>
    key in kept ? fieldsBeyond(sent[key], kept[key], `${path}.${key}`) : [`${path}.${key}`],
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTokenAnswer(value: unknown): value is { token: string } {
  return typeof value === 'object' && value !== null && 'token' in value && typeof value.token === 'string';
}

function toApiError(res: Response, json: unknown): ApiError {
  const parsed = ErrorBodySchema.safeParse(json);
  const retry = Number(res.headers.get('retry-after'));
  if (!parsed.success) {
    // Not the error shape (a proxy's page, health's 503 body): say what the status means.
    const code = res.status === 503 ? 'unavailable' : 'internal';
    return new ApiError(res.status, code, `The server answered ${res.status}.`, json);
  }
  const { code, message, details }: ErrorBody['error'] = parsed.data.error;
  return new ApiError(
    res.status,
    code,
    message,
    details,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}
