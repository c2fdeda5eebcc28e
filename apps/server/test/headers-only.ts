import { request } from 'node:http';

export interface HeadersOnlyAnswer {
  status: number;
  body: string;
  connection: string | undefined;
}

/**
 * A POST that sends its headers (a declared Content-Length among them) and never a byte of its
 * body: the answer proves a refusal was made from the headers alone.
 */
export function postHeadersOnly(url: string, headers: Record<string, string>): Promise<HeadersOnlyAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
