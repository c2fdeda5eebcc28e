// @ts-check
// The image's HEALTHCHECK (Dockerfile): exits 0 when /readyz answers 200 on this container's own
// port (PORT, default 8765), over HTTPS unless DECENTRA_TLS=off. The certificate is not checked:
// it is the self-signed one, or one made for the public name, not for 127.0.0.1.
import { get as getHttp } from 'node:http';
import { get as getHttps } from 'node:https';

const port = process.env.PORT || '8765';
const tls = process.env.DECENTRA_TLS !== 'off';
const get = tls ? getHttps : getHttp;
const req = get(
  `${tls ? 'https' : 'http'}://127.0.0.1:${port}/readyz`,
  { rejectUnauthorized: false, timeout: 4_000 },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', () => process.exit(1));
