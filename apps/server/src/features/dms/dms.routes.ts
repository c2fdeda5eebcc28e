import { ChannelSchema, OpenDmBodySchema } from '@decentra/protocol';
import * as z from 'zod';
import type { Bus } from '../../bus/bus.js';
import { actorOf, requireAuth } from '../../http/auth.js';
import { authedErrors, bearer, publishing } from '../../http/route-kit.js';
import type { App } from '../../http/types.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { DmsService } from './dms.service.js';

export function dmsRoutes(app: App, deps: { accounts: AccountsService; dms: DmsService; bus: Bus }): void {
  const { dms, bus } = deps;
  const common = { preHandler: requireAuth(deps.accounts) };
  const tags = ['dms'];

  app.get(
    '/api/dms',
    {
      ...common,
      schema: {
        tags,
        summary: 'My direct message channels',
        security: bearer,
        response: { 200: z.array(ChannelSchema), ...authedErrors },
      },
    },
    async (req) => dms.list(actorOf(req).id),
  );

  app.post(
    '/api/dms',
    {
      ...common,
      schema: {
        tags,
        summary: 'The one DM channel with a friend (made on first open; the same one every time)',
        security: bearer,
        body: OpenDmBodySchema,
        response: { 200: ChannelSchema, ...authedErrors },
      },
    },
    async (req) => publishing(bus, dms.open(actorOf(req), BigInt(req.body.userId))),
  );
}
