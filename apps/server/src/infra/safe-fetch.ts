import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import {
  addressRefusal,
  hostOf,
  outboundAgents,
  PrivateAddressError,
  type PrivateAllowance,
} from './safe-lookup.js';

/**
 * GET of a URL someone else chose (a link in a message, a picture on that page), guarded against
 * SSRF: http and https only; every hop's host resolved once, at connect time, by the agents'
 * public-only lookup (so DNS rebinding between a check and the connect gains nothing), address
 * literals checked before connecting; each redirect is a new hop, checked the same way; one
 * deadline for the whole exchange; at most `maxBytes` read (after decompression); no cookies are
 * sent or kept, and no credentials in URLs are used.
 */

export type FetchRefusal =
  | 'bad_url'
  | 'private_address'
  | 'timeout'
  | 'too_large'
  | 'too_many_redirects'
  | 'unwanted_type'
  | 'network';

export class FetchRefusedError extends Error {
  override name = 'FetchRefusedError';
  constructor(
    readonly reason: FetchRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface SafeFetchOptions {
  /** Past it the body is cut there (`truncate`: a page's head is enough) or the fetch fails (`refuse`). */
  maxBytes: number | ((mediaType: string | undefined) => number);
  overflow: 'truncate' | 'refuse';
  /** Refuses an answer by its Content-Type before reading its body. */
  acceptType?: (mediaType: string | undefined) => boolean;
  accept: string;
  /** Defaults to the fetcher's. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface FetchResult {
  /** The URL answered, after redirects. */
  url: URL;
  status: number;
  headers: IncomingHttpHeaders;
  /** The media type without parameters, lower case ("text/html"). */
  mediaType: string | undefined;
  /** The `charset` parameter of Content-Type, if any. */
  charset: string | undefined;
  body: Buffer;
  truncated: boolean;
}

export interface SafeFetcherOptions {
  /** DECENTRA_ALLOW_PRIVATE_FETCH: reach private addresses (a LAN install, tests), or only these. */
  allowPrivate: PrivateAllowance;
  timeoutMs: number;
  maxRedirects: number;
  userAgent: string;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class SafeFetcher {
  private readonly https: HttpsAgent;
  private readonly http: HttpAgent;

  constructor(private readonly options: SafeFetcherOptions) {
    const agents = outboundAgents({ allowPrivate: options.allowPrivate, keepAlive: true, maxSockets: 8 });
    this.https = agents.https;
    this.http = agents.http;
  }

  async fetch(input: string | URL, options: SafeFetchOptions): Promise<FetchResult> {
    const deadline = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    let url = typeof input === 'string' ? parseUrl(input) : input;
    try {
      for (let hop = 0; ; hop++) {
        this.check(url);
        const res = await this.request(url, options.accept, signal);
        const location = res.headers.location;
        if (REDIRECTS.has(res.statusCode ?? 0) && location !== undefined) {
          res.resume();
          if (hop >= this.options.maxRedirects)
            throw new FetchRefusedError(
              'too_many_redirects',
              `more than ${this.options.maxRedirects} redirects`,
            );
          url = parseUrl(location, url);
          continue;
        }
        const [type, ...params] = (res.headers['content-type'] ?? '').split(';');
        const mediaType = type?.trim().toLowerCase() || undefined;
        if (options.acceptType && !options.acceptType(mediaType)) {
          res.destroy();
          throw new FetchRefusedError('unwanted_type', `${mediaType ?? 'no type'} is not wanted`);
        }
        const maxBytes =
          typeof options.maxBytes === 'number' ? options.maxBytes : options.maxBytes(mediaType);
        const { body, truncated } = await readCapped(res, maxBytes, options.overflow);
        const charset = params
          .map((p) => p.trim().split('='))
          .find(([k]) => k?.toLowerCase() === 'charset')?.[1]
          ?.replace(/^"|"$/g, '');
        return {
          url,
          status: res.statusCode ?? 0,
          headers: res.headers,
          mediaType,
          charset,
          body,
          truncated,
        };
      }
    } catch (err) {
      throw asRefusal(err, deadline);
    }
  }

  close(): void {
    this.https.destroy();
    this.http.destroy();
  }

  /** A hop's URL: http(s), no credentials, and (names are checked at connect) no private address literal. */
  private check(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new FetchRefusedError('bad_url', `${url.protocol} is not fetched`);
    if (url.username || url.password) throw new FetchRefusedError('bad_url', 'a URL with credentials');
    const host = hostOf(url);
    const { allowPrivate } = this.options;
    if (allowPrivate === true || isIP(host) === 0) return;
    if (allowPrivate !== false && allowPrivate.has(host)) return;
    const range = addressRefusal(host);
    if (range !== undefined) throw new PrivateAddressError(host, host, range);
  }

  private request(url: URL, accept: string, signal: AbortSignal): Promise<IncomingMessage> {
    const https = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, {
        method: 'GET',
        agent: https ? this.https : this.http,
        signal,
        headers: {
          accept,
          'accept-encoding': 'gzip, deflate, br',
          'accept-language': 'en',
          'user-agent': this.options.userAgent,
        },
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
  }
}

function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new FetchRefusedError('bad_url', 'not a URL');
  }
}

/** The body, decompressed, up to `maxBytes`: cut there or refused, as asked. */
async function readCapped(
  res: IncomingMessage,
  maxBytes: number,
  overflow: SafeFetchOptions['overflow'],
): Promise<{ body: Buffer; truncated: boolean }> {
  const declared = Number(res.headers['content-length']);
  if (overflow === 'refuse' && Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw new FetchRefusedError('too_large', `${declared} bytes is over ${maxBytes}`);
  }
  const stream = decoded(res);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      if (size + buffer.length > maxBytes) {
        if (overflow === 'refuse') throw new FetchRefusedError('too_large', `over ${maxBytes} bytes`);
        chunks.push(buffer.subarray(0, maxBytes - size));
        return { body: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(buffer);
      size += buffer.length;
    }
  } finally {
    // Whatever was not read is not wanted: the connection is closed, not drained.
    if (!res.complete) res.destroy();
    if (stream !== res) stream.destroy();
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

function decoded(res: IncomingMessage): Readable {
  const encoding = res.headers['content-encoding']?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

function asRefusal(err: unknown, deadline: AbortSignal): Error {
  if (err instanceof FetchRefusedError) return err;
  if (err instanceof PrivateAddressError) return new FetchRefusedError('private_address', err.message);
  if (deadline.aborted) return new FetchRefusedError('timeout', 'no answer in time');
  const cause = err instanceof Error && err.cause instanceof PrivateAddressError ? err.cause : undefined;
  if (cause) return new FetchRefusedError('private_address', cause.message);
  return new FetchRefusedError('network', err instanceof Error ? err.message : String(err));
}
