import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postHeadersOnly } from '../../test/headers-only.js';
import { handleError } from './error-handler.js';
import type { App } from './types.js';
import { acceptRawBodies, uploadBody } from './upload-body.js';

const CAP = 4 * 1024 * 1024;
let app: App;
let base: string;
let seenChunks = 0;

beforeAll(async () => {
  // The JSON body limit of the real app: an upload must not be held to it.
  app = Fastify({ bodyLimit: 64 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.post('/json', async (req) => ({ got: req.body }));
  await app.register(async (child: App) => {
    acceptRawBodies(child);
    child.post('/upload', uploadBody(CAP), async (req) => {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of req.body as AsyncIterable<Buffer>) {
        seenChunks += 1;
        bytes += chunk.length;
        hash.update(chunk);
      }
      return { bytes, sha256: hash.digest('hex'), type: req.headers['content-type'] ?? null };
    });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => app.close());

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('upload bodies', () => {
  it('reach the handler as a stream of the raw bytes, of any media type or none, beyond the JSON body limit', async () => {
    const file = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    for (const type of ['application/octet-stream', 'application/json', 'image/png', undefined]) {
      const before = seenChunks;
      const res = await fetch(`${base}/upload`, {
        method: 'POST',
        body: file,
        ...(type ? { headers: { 'content-type': type } } : {}),
      });
      expect(res.status, String(type)).toBe(200);
      expect(await res.json()).toEqual({ bytes: file.length, sha256: sha(file), type: type ?? null });
      // Handed over as it arrives, in many chunks, not as one buffered body.
      expect(seenChunks - before).toBeGreaterThan(1);
    }
    // JSON elsewhere is still parsed (and still held to its limit).
    const json = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await json.json()).toEqual({ got: { a: 1 } });
  });

  it('over the cap are refused from the declared length, before the client sends a byte of the body', async () => {
    // Headers only: the refusal must come without the body.
    const answer = await postHeadersOnly(`${base}/upload`, {
      'content-length': String(CAP + 1),
      'content-type': 'application/octet-stream',
    });
    expect(answer.status).toBe(413);
    // The rest of the file is not waited for.
    expect(answer.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('without a Content-Length (chunked) are refused as invalid input', async () => {
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('abc'));
        c.close();
      },
    });
    const res = await fetch(`${base}/upload`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_input' } });
  });

  it('at exactly the cap are taken', async () => {
    const file = new Uint8Array(CAP);
    const res = await fetch(`${base}/upload`, { method: 'POST', body: file });
    expect(await res.json()).toMatchObject({ bytes: CAP });
  });
});
