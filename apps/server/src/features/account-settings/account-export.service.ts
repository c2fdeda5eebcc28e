import type { AccountExport } from '@decentra/protocol';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../../infra/errors.js';
import type { LimiterFactory } from '../../infra/rate-limiter.js';
import type { AuthContext } from '../../kernel/actor.js';
import type { Db } from '../../storage/db.js';
import { toUser } from '../accounts/user-dto.js';
import type { SettingsService } from '../settings/settings.service.js';
import { dmsOf, friendsOf, membershipsOf, messagesByAuthor } from './account-export.repo.js';
import type { AccountSettingsService } from './account-settings.service.js';

const PAGE = 5_000;
/** Exports a user may make per minute: each one reads everything they ever wrote. */
const EXPORTS_PER_MINUTE = 2;

/** A person's own data, all of it, for them to take away (GDPR art. 20 style). */
export class AccountExportService {
  private readonly limiter;

  constructor(
    private readonly deps: {
      db: Db;
      settings: SettingsService;
      account: AccountSettingsService;
      limiters: LimiterFactory;
      now: () => Date;
    },
  ) {
    this.limiter = deps.limiters({ keyPrefix: 'account-export', points: EXPORTS_PER_MINUTE, duration: 60 });
  }

  async export(auth: AuthContext): Promise<AccountExport> {
    try {
      await this.limiter.consume(auth.actor.id.toString());
    } catch (err) {
      if (err instanceof RateLimiterRes) throw rateLimited(err.msBeforeNext / 1000);
      throw err;
    }
    const { db, settings, account, now } = this.deps;
    const userId = auth.actor.id;
    const [mine, servers, friends, dms, sessions] = await Promise.all([
      settings.get(userId),
      membershipsOf(db, userId),
      friendsOf(db, userId),
      dmsOf(db, userId),
      account.sessions(auth),
    ]);
    const written: AccountExport['messages'] = [];
    for (let after = 0n; ; ) {
      const page = await messagesByAuthor(db, userId, after, PAGE);
      for (const m of page) {
        written.push({
          id: m.id.toString(),
          channelId: m.channelId.toString(),
          ...(m.serverId === null ? {} : { serverId: m.serverId.toString() }),
          channelName: m.channelName,
          content: m.content,
          createdAt: m.createdAt.toISOString(),
          ...(m.editedAt ? { editedAt: m.editedAt.toISOString() } : {}),
        });
      }
      const last = page.at(-1);
      if (!last || page.length < PAGE) break;
      after = last.id;
    }
    return {
      format: 'decentra-account-export/1',
      exportedAt: now().toISOString(),
      user: toUser(auth.user),
      settings: mine,
      servers: servers.map((s) => ({
        id: s.id.toString(),
        name: s.name,
        owner: s.ownerId === userId,
        joinedAt: s.joinedAt.toISOString(),
      })),
      friends: friends.map((f) => ({
        user: { id: f.id.toString(), username: f.username },
        since: f.since.toISOString(),
      })),
      dms: dms.map((d) => ({
        channelId: d.channelId.toString(),
        with: { id: d.otherId.toString(), username: d.otherName },
      })),
      messages: written,
      sessions,
    };
  }
}
