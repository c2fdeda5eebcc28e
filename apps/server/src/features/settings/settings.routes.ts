import { UserSettingsSchema } from '@decentra/protocol';
import { actorOf, requireAuth } from '../../http/auth.js';
import { authedErrors, bearer } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { SettingsService } from './settings.service.js';

export function settingsRoutes(
  app: App,
  deps: { accounts: AccountsService; settings: SettingsService },
): void {
  const common = { preHandler: requireAuth(deps.accounts) };
  const tags = ['settings'];
  app.get(
    '/api/users/@me/settings',
    {
      ...common,
      schema: {
        tags,
        summary: 'My settings (notifications)',
        security: bearer,
        response: { 200: UserSettingsSchema, ...authedErrors },
      },
    },
    async (req) => deps.settings.get(actorOf(req).id),
  );
  app.put(
    '/api/users/@me/settings',
    {
      ...common,
      schema: {
        tags,
        summary: 'Replace my settings',
        security: bearer,
        body: UserSettingsSchema,
        response: { 200: UserSettingsSchema, ...authedErrors },
      },
    },
    async (req) => deps.settings.put(actorOf(req).id, req.body),
  );
}
