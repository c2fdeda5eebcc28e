import {
  AdminSettingsInputSchema,
  AdminSettingsSchema,
  SmtpTestBodySchema,
  SmtpTestResultSchema,
} from '@decentra/protocol';
import { authOf, requireAuth } from '../../http/auth.js';
import { authedErrors, bearer } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import { forbidden } from '../../infra/errors.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { Mailer } from '../mail/mailer.js';
import type { SmtpSettingsStore } from './smtp-settings.js';

export function adminRoutes(
  app: App,
  deps: { accounts: AccountsService; smtp: SmtpSettingsStore; mailer: Mailer },
): void {
  const auth = requireAuth(deps.accounts);
  const common = {
    preHandler: [
      auth,
      async (req: Parameters<typeof auth>[0]) => {
        if (!authOf(req).user.isAdmin) throw forbidden('Only the admin can do that.');
      },
    ],
  };
  const tags = ['admin'];

  app.get(
    '/api/admin/settings',
    {
      ...common,
      schema: {
        tags,
        summary: 'Instance settings (admin): SMTP, never its password',
        security: bearer,
        response: { 200: AdminSettingsSchema, ...authedErrors },
      },
    },
    async () => ({ smtp: await deps.smtp.view() }),
  );

  app.put(
    '/api/admin/settings',
    {
      ...common,
      schema: {
        tags,
        summary:
          'Save instance settings (admin). SMTP password: omit to keep, null to clear; stored encrypted',
        security: bearer,
        body: AdminSettingsInputSchema,
        response: { 200: AdminSettingsSchema, ...authedErrors },
      },
    },
    async (req) => ({ smtp: await deps.smtp.save(req.body.smtp) }),
  );

  app.post(
    '/api/admin/smtp/test',
    {
      ...common,
      schema: {
        tags,
        summary: 'Send a test email with the saved SMTP settings (admin); to defaults to my email',
        security: bearer,
        body: SmtpTestBodySchema.nullish(),
        response: { 200: SmtpTestResultSchema, ...authedErrors },
      },
    },
    async (req) => {
      const to = req.body?.to ?? authOf(req).user.email ?? undefined;
      if (!to)
        return { ok: false, error: 'No address to send to: give "to", or add an email to your account.' };
      try {
        await deps.mailer.send({
          to,
          subject: 'Decentra test email',
          text: 'This is a test email from your Decentra server. If you can read it, email works.',
        });
        return { ok: true };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    },
  );
}
