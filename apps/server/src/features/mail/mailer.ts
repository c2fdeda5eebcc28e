import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import type { Logger } from '../../infra/logger.js';
import type { SmtpConfig, SmtpSettingsStore } from '../admin/smtp-settings.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface MailerOptions {
  /** The From name when the SMTP settings leave it empty: the instance's name. */
  instanceName: () => Promise<string>;
  /** A PEM file of CAs to trust beside the system's (DECENTRA_SMTP_CA_FILE), for a private mail server. */
  caFile?: string | undefined;
}

const TIMEOUT_MS = 10_000;

/** Sends mail through the SMTP server the admin configured; does nothing while it is disabled. */
export class Mailer {
  private ca: Promise<string[] | undefined> | undefined;

  constructor(
    private readonly smtp: SmtpSettingsStore,
    private readonly log: Logger,
    private readonly options: MailerOptions,
  ) {}

  /** Whether an admin has turned SMTP on (mailed links are possible). */
  async enabled(): Promise<boolean> {
    return (await this.smtp.config())?.enabled === true;
  }

  /** Sends now; throws with the SMTP server's reason when it fails. */
  async send(mail: Mail, config?: SmtpConfig): Promise<void> {
    const smtp = config ?? (await this.smtp.config());
    if (!smtp?.enabled) throw new Error('Email is not set up: an admin has to enable SMTP first.');
    const ca = await this.trustedCas();
    const fromName = smtp.fromName || (await this.options.instanceName());
    // Loaded on the first mail: most starts never send one.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === 'tls',
      requireTLS: smtp.security === 'starttls',
      ignoreTLS: smtp.security === 'none',
      ...(smtp.username ? { auth: { user: smtp.username, pass: smtp.password ?? '' } } : {}),
      ...(ca ? { tls: { ca } } : {}),
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
    try {
      await transport.sendMail({
        from: { name: fromName, address: smtp.fromAddress || smtp.username },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
      });
    } finally {
      transport.close();
    }
  }

  /** Fire and forget (welcome mail): a failure is logged, never thrown at the user's request. */
  sendInBackground(mail: Mail): void {
    this.smtp
      .config()
      .then((smtp) => (smtp?.enabled ? this.send(mail, smtp) : undefined))
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'could not send mail'));
  }

  /** The system's CAs plus the configured file's, read once (`ca` would otherwise replace the system's). */
  private trustedCas(): Promise<string[] | undefined> {
    const file = this.options.caFile;
    if (file === undefined) return Promise.resolve(undefined);
    this.ca ??= readFile(file, 'utf8').then(
      (pem) => [...rootCertificates, pem],
      (err: unknown) => {
        this.ca = undefined;
        throw new Error(`Cannot read DECENTRA_SMTP_CA_FILE ${file}: ${(err as Error).message}`);
      },
    );
    return this.ca;
  }
}
