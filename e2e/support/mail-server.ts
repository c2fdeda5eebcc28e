import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { privateCaCertificate } from '../../apps/server/test/mail-server.js';

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
    const { caPem: pem, key, cert } = await privateCaCertificate();
    caPem = pem;
    tls = { key, cert };
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
