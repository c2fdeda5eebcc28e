import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * mails (password reset, email confirmation) open in the test's browser as they would for a user;
 * with `mail` on STARTTLS, it trusts that mail server's private CA (DECENTRA_SMTP_CA_FILE).
 */
export async function startMailingServer(
  mail?: MailServer,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const port = await freePort();
  let smtpCaFile: string | undefined;
  if (mail?.caPem) {
    smtpCaFile = join(mkdtempSync(join(tmpdir(), 'decentra-e2e-ca-')), 'ca.pem');
    writeFileSync(smtpCaFile, mail.caPem);
  }
  return startTestServer({
    ...options,
    config: { ...options.config, port, publicUrl: `http://127.0.0.1:${port}`, smtpCaFile },
  });
}

/** Points the instance's SMTP settings at `mail` through the SDK (for stories that only need mail to work). */
export async function useMailServer(admin: RestClient, mail: MailServer): Promise<void> {
  await admin.putAdminSettings({
    smtp: {
      enabled: true,
      host: mail.host,
      port: mail.port,
      security: mail.caPem ? 'starttls' : 'none',
      username: mail.username,
      password: mail.password,
      fromAddress: 'chat@example.org',
      fromName: 'Decentra e2e',
    },
  });
}
