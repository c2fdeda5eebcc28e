import type { UserSearchResult } from '@decentra/protocol';
import type { Db } from '../../storage/db.js';
import { searchUsers } from './users.repo.js';

export class UsersService {
  constructor(private readonly db: Db) {}

  /** Prefix search on usernames (case-insensitive), never the caller, with how each relates to them. */
  async search(userId: bigint, q: string): Promise<UserSearchResult[]> {
    const rows = await searchUsers(this.db, userId, q);
    return rows.map((r) => ({ id: r.id.toString(), username: r.username, relationship: r.relationship }));
  }
}
