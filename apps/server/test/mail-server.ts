import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { SmtpSettingsInput } from '@decentra/protocol';
import { type ParsedMail, simpleParser } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on loopback that keeps every mail it is given, parsed. */
export class TestMailServer {
  readonly inbox: ParsedMail[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<TestMailServer> {
    let mailServer: TestMailServer | undefined;
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
      onData(stream, _session, cb) {
        simpleParser(stream)
          .then((mail) => {
            mailServer?.receive(mail);
            cb();
          })
          .catch(cb);
      },
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    mailServer = new TestMailServer(server, (server.server.address() as AddressInfo).port);
    return mailServer;
  }

  /** The admin's SMTP settings that send here. */
  settings(): { smtp: SmtpSettingsInput } {
    return {
      smtp: {
        enabled: true,
        host: '127.0.0.1',
        port: this.port,
        security: 'none',
        username: '',
        fromAddress: 'decentra@example.test',
        fromName: 'Decentra Test',
      },
    };
  }

  /**
   * The first mail to `to` received at index `from` or later (already here or still to come),
   * whose subject matches `subject` if given (a welcome mail may come in between).
   */
  async mailTo(to: string, from = 0, subject?: RegExp, timeoutMs = 10_000): Promise<ParsedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.inbox
        .slice(from)
        .find((m) => JSON.stringify(m.to).includes(to) && (!subject || subject.test(m.subject ?? '')));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail to ${to} arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private receive(mail: ParsedMail): void {
    this.inbox.push(mail);
    for (const w of this.waiters.splice(0)) w();
  }
}

/** The token of the link in a mail (`…?token=…`). */
export function linkToken(mail: ParsedMail): string {
  const match = /\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  if (!match?.[1]) throw new Error(`no link in mail: ${mail.text}`);
  return match[1];
}

/** The link in a mail, pointing at `serverUrl` instead of the test config's public URL. */
export function linkIn(mail: ParsedMail, serverUrl: string): URL {
  const match = /(https?:\/\/\S+\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  if (!match?.[1]) throw new Error(`no link in mail: ${mail.text}`);
  return new URL(match[1].replace('http://decentra.test', serverUrl));
}

/**
 * A private CA and a certificate it signed for 127.0.0.1, as a self-hosted mail server might
 * have: the server under test trusts `caPem` through DECENTRA_SMTP_CA_FILE.
 */
export async function privateCaCertificate(): Promise<{ caPem: string; key: string; cert: string }> {
  const now = Date.now();
  const validity = { notBeforeDate: new Date(now - 60_000), notAfterDate: new Date(now + 86_400_000) };
  const ca = await generate([{ name: 'commonName', value: 'Decentra test mail CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7 as const, ip: '127.0.0.1' }] },
    ],
  });
  return { caPem: ca.cert, key: leaf.private, cert: leaf.cert };
}
