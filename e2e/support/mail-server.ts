import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';

/** A received mail, with what a test reads from it. */
export interface Mail {
  to: string[];
  subject: string;
  text: string;
  parsed: ParsedMail;
}

export interface MailServer {
  host: string;
  port: number;
  /** The login it wants (AUTH PLAIN/LOGIN). */
  username: string;
  password: string;
  /** With `starttls`: the private CA that signed its certificate, for DECENTRA_SMTP_CA_FILE. */
  caPem: string | undefined;
  /** Every mail so far, in order. */
  inbox: Mail[];
  /** The first mail (already received or still to come) that `match` accepts. */
  mail(match: (mail: Mail) => boolean, timeoutMs?: number): Promise<Mail>;
  close(): Promise<void>;
}

const USERNAME = 'mailer';
const PASSWORD = 'e2e-smtp-pass';

const recipients = (mail: ParsedMail): string[] => {
  const to = mail.to === undefined ? [] : Array.isArray(mail.to) ? mail.to : [mail.to];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ''));
};

/** A private CA and a certificate it signed for 127.0.0.1, as a self-hosted mail server might have. */
async function certificates() {
  const now = Date.now();
  const validity = { notBeforeDate: new Date(now - 60_000), notAfterDate: new Date(now + 86_400_000) };
  const ca = await generate([{ name: 'commonName', value: 'Decentra e2e mail CA' }], {
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
  return { ca: ca.cert, leaf };
}

/**
 * A real SMTP server on loopback that wants a login and keeps every mail it accepts. With
 * `starttls` it offers STARTTLS with a certificate from a private CA (`caPem`) and refuses AUTH
 * before it; without, AUTH goes in clear (`allowInsecureAuth`), as with security "None".
 */
export async function startMailServer({ starttls = false } = {}): Promise<MailServer> {
  const inbox: Mail[] = [];
  const waiting = new Set<() => void>();
  let caPem: string | undefined;
  let tls = {};
  if (starttls) {
    const { ca, leaf } = await certificates();
    caPem = ca;
    tls = { key: leaf.private, cert: leaf.cert };
  }
  const smtp = new SMTPServer({
    secure: false,
    ...tls,
    ...(starttls ? {} : { disabledCommands: ['STARTTLS'], allowInsecureAuth: true }),
    authOptional: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === USERNAME && auth.password === PASSWORD) cb(null, { user: USERNAME });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          inbox.push({
            to: recipients(parsed),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            parsed,
          });
          for (const wake of waiting) wake();
          cb();
        })
        .catch(cb);
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  const { port } = smtp.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    username: USERNAME,
    password: PASSWORD,
    caPem,
    inbox,
    mail(match, timeoutMs = 15_000) {
      return new Promise<Mail>((resolve, reject) => {
        const check = () => {
          const found = inbox.find(match);
          if (!found) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `no such mail within ${timeoutMs} ms; inbox: ${inbox.map((m) => `${m.to} "${m.subject}"`).join(', ') || 'empty'}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiting.delete(check);
        };
        waiting.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

/** The first link in a mail's text that starts with `prefix`. */
export function linkIn(mail: Mail, prefix: string): string {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`no link to ${prefix} in: ${mail.text}`);
  return link;
}
