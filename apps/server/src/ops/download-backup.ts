import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CSRF_HEADER, CSRF_HEADER_VALUE, ROUTES } from '@decentra/protocol';
import { OperationError } from './cli.js';

/**
 * Asks a running server for its backup (POST /api/admin/backup) and streams the answer into `out`.
 * Its self-signed certificate, when the data folder has one, is the one trusted for it.
 */
export async function downloadBackup(
  baseUrl: string,
  token: string,
  dataDir: string,
  out: Writable,
): Promise<void> {
  const url = new URL(ROUTES.adminBackup.path, baseUrl);
  const cert = join(dataDir, 'tls', 'cert.pem');
  const headers = { authorization: `Bearer ${token}`, [CSRF_HEADER]: CSRF_HEADER_VALUE };
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req =
      url.protocol === 'https:'
        ? httpsRequest(
            url,
            { method: 'POST', headers, ...(existsSync(cert) ? { ca: readFileSync(cert) } : {}) },
            resolve,
          )
        : httpRequest(url, { method: 'POST', headers }, resolve);
    req.on('error', (err) =>
      reject(new OperationError(`could not reach the server at ${url.origin}: ${err.message}`)),
    );
    req.end();
  });
  if (res.statusCode !== 200) {
    let body = '';
    for await (const chunk of res) body += String(chunk);
    throw new OperationError(`the server refused the backup (${res.statusCode}): ${errorMessage(body)}`);
  }
  await pipeline(res, out);
}

function errorMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const error: unknown =
      typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'error') : undefined;
    const message: unknown =
      typeof error === 'object' && error !== null ? Reflect.get(error, 'message') : undefined;
    if (typeof message === 'string') return message;
  } catch {}
  return body.slice(0, 200);
}
