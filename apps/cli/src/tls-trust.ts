import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, TLSSocket } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import type { ClientOptions } from 'ws';

/**
 * Which server certificates the terminal client accepts, as the user chose on the command line.
 * It applies to the client's own connections only (REST through an undici dispatcher, the gateway
 * through an https.Agent); certificate checking is never turned off for the process.
 */
export interface TrustChoice {
  /** A PEM file of certificates to trust instead of the system's CAs, e.g. the server's data/tls/cert.pem. */
  caFile?: string;
  /** The SHA-256 fingerprint of the one certificate to accept (hex, colons optional). */
  fingerprint?: string;
  /** Accept any certificate. */
  insecure?: boolean;
}

/** What the session needs to connect with that trust. */
export interface TrustedTransport {
  /** For RestClient's `fetch` option. */
  fetch: typeof fetch;
  /** For the gateway's `ws` sockets. */
  webSocket: ClientOptions;
  close(): Promise<void>;
}

/** A mistake in the trust options, worded for the user. */
export class TrustOptionError extends Error {
  override name = 'TrustOptionError';
}

/** A connection refused because of the server's certificate. */
export class UntrustedServerError extends Error {
  override name = 'UntrustedServerError';
}

const HINT =
  'trust your server with --ca <its data folder>/tls/cert.pem or --fingerprint <its SHA-256>, or skip the check with --insecure';

/** Checks the options and reads the CA file; throws TrustOptionError with a one-line reason. */
export function trustedTransport(choice: TrustChoice, serverUrl: string): TrustedTransport {
  const pinned = choice.fingerprint === undefined ? undefined : normaliseFingerprint(choice.fingerprint);
  const ca = choice.caFile === undefined ? undefined : readCa(choice.caFile);
  const secure = serverUrl.startsWith('https://');
  if (choice.insecure && (ca !== undefined || pinned !== undefined)) {
    throw new TrustOptionError('--insecure accepts any certificate: use it without --ca or --fingerprint.');
  }
  if ((ca !== undefined || pinned !== undefined) && !secure) {
    throw new TrustOptionError(`--ca and --fingerprint need an https:// server (got ${serverUrl}).`);
  }

  // With a pin alone the certificate need not chain to anything: the pin is the check, made by
  // `verify` before any request is written. With --ca the usual chain and host name checks apply
  // (and the pin too, if given). A resumed TLS session would skip certificate checks, so with a pin
  // every connection makes a full handshake.
  const tls: ConnectionOptions & { maxCachedSessions?: number } =
    choice.insecure || (pinned !== undefined && ca === undefined) ? { rejectUnauthorized: false } : {};
  if (ca !== undefined) tls.ca = ca;
  if (pinned !== undefined) tls.maxCachedSessions = 0;
  const verify = (socket: TLSSocket): Error | undefined => {
    if (pinned === undefined) return undefined;
    const presented = socket.getPeerCertificate().fingerprint256;
    if (presented && normaliseFingerprint(presented) === pinned) return undefined;
    return new UntrustedServerError(
      `the server's certificate (SHA-256 ${presented || 'none'}) does not match --fingerprint ${formatFingerprint(pinned)}`,
    );
  };

  const connect = buildConnector(tls);
  const dispatcher = new Agent({
    connect: (options, callback) => {
      connect(options, (err, socket) => {
        if (err) return callback(err, null);
        const problem = socket instanceof TLSSocket ? verify(socket) : undefined;
        if (!problem) return callback(null, socket);
        socket.destroy();
        callback(problem, null);
      });
    },
  });

  const scopedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (input instanceof Request) throw new TypeError('the CLI fetches URLs only');
    try {
      return await undiciFetch(input, {
        ...(init?.method ? { method: init.method } : {}),
        ...(init?.headers ? { headers: headerPairs(init.headers) } : {}),
        ...(typeof init?.body === 'string' ? { body: init.body } : {}),
        ...(init?.signal ? { signal: init.signal } : {}),
        dispatcher,
      });
    } catch (err) {
      throw explain(err, choice);
    }
  };

  return {
    fetch: scopedFetch,
    // ws:// (plain HTTP, e.g. DECENTRA_TLS=off on a trusted network) needs no agent.
    webSocket: secure ? { agent: new VerifyingAgent(tls, verify) } : {},
    close: () => dispatcher.close(),
  };
}

/**
 * An https.Agent for the gateway's sockets that hands a socket to its request only once `verify`
 * accepted the certificate, so nothing (not even the upgrade request) is sent to a server that fails.
 */
class VerifyingAgent extends HttpsAgent {
  constructor(
    options: ConnectionOptions & { maxCachedSessions?: number },
    private readonly verify: (socket: TLSSocket) => Error | undefined,
  ) {
    super({ ...options, keepAlive: false });
  }

  override createConnection(
    options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options);
    if (!callback || !(socket instanceof TLSSocket)) return socket;
    const onError = (err: Error) => callback(err, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const problem = this.verify(socket);
      if (!problem) return callback(null, socket);
      socket.destroy();
      callback(problem, socket);
    });
    return undefined;
  }
}

function readCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TrustOptionError(
      `--ca ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new TrustOptionError(`--ca ${file} is not a PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  return pem;
}

function normaliseFingerprint(value: string): string {
  const hex = value
    .replace(/^sha256[:/=]?/i, '')
    .replace(/[\s:]/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new TrustOptionError(
      '--fingerprint must be a SHA-256 fingerprint: 64 hex digits, colons allowed ' +
        '(openssl x509 -in data/tls/cert.pem -noout -fingerprint -sha256).',
    );
  }
  return hex;
}

function formatFingerprint(hex: string): string {
  return (hex.match(/../g) ?? []).join(':').toUpperCase();
}

function headerPairs(headers: NonNullable<RequestInit['headers']>): [string, string][] {
  if (headers instanceof Headers) return [...headers];
  if (Array.isArray(headers)) return headers.map(([k = '', v = '']) => [k, v]);
  return Object.entries(headers).flatMap(([k, v]): [string, string][] =>
    typeof v === 'string' ? [[k, v]] : v.map((one) => [k, one]),
  );
}

/** Node's codes for a certificate that does not verify (see `tls` and OpenSSL's X509_V_ERR_*). */
const CHAIN_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'INVALID_CA',
]);

/** undici reports "fetch failed" with the reason as `cause`; say what went wrong and what to do. */
function explain(err: unknown, choice: TrustChoice): Error {
  let reason: Error | undefined;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof UntrustedServerError) return e;
    reason = e;
  }
  if (!reason) return new Error(String(err));
  const code = (reason as NodeJS.ErrnoException).code ?? '';
  if (CHAIN_ERRORS.has(code)) {
    const by = choice.caFile ? `by --ca ${choice.caFile}` : 'by this system';
    return new UntrustedServerError(
      `the server's certificate is not trusted ${by} (${reason.message})${choice.caFile ? '' : `; ${HINT}`}`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new UntrustedServerError(`the server's certificate is not for this address (${reason.message})`);
  }
  return reason;
}
