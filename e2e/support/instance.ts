import { createServer } from 'node:net';
import type { RestClient } from '@decentra/client';
import {
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../../apps/server/test/test-server.js';
import type { MailServer } from './mail-server.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A test server whose public URL (DECENTRA_PUBLIC_URL) is its own address, so that the links it
 * mails (password reset, email confirmation) open in the test's browser as they would for a user.
 */
export async function startMailingServer(options: TestServerOptions = {}): Promise<TestServer> {
  const port = await freePort();
  return startTestServer({
    ...options,
    config: { ...options.config, port, publicUrl: `http://127.0.0.1:${port}` },
  });
}

/** Points the instance's SMTP settings at `mail` through the SDK (for stories that only need mail to work). */
export async function useMailServer(admin: RestClient, mail: MailServer): Promise<void> {
  await admin.putAdminSettings({
    smtp: {
      enabled: true,
      host: mail.host,
      port: mail.port,
      security: 'none',
      username: mail.username,
      password: mail.password,
      fromAddress: 'chat@example.org',
      fromName: 'Decentra e2e',
    },
  });
}
