import { DEFAULT_USER_SETTINGS, type UserSettings, UserSettingsSchema } from '@decentra/protocol';
import { dispatch, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import { ReadBatch } from '../../kernel/read-batch.js';
import { type Db, readBatching } from '../../storage/db.js';
import { deleteUserSettings, readUserSettings, writeUserSettings } from './settings.repo.js';

/** Each user's own preferences (notifications); defaults until they save some. */
export class SettingsService {
  /** The reads of one turn (a reconnect storm's `ready`s) are one query. */
  private readonly batch: ReadBatch<bigint, unknown>;

  constructor(
    db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.batch = new ReadBatch<bigint, unknown>(
      (ids) => readUserSettings(db, ids),
      () => undefined,
      readBatching(db),
    );
  }

  async get(userId: bigint): Promise<UserSettings> {
    // Stored JSON is re-validated: a row from an older version falls back to the defaults.
    const parsed = UserSettingsSchema.safeParse(await this.batch.load(userId));
    return parsed.success ? parsed.data : DEFAULT_USER_SETTINGS;
  }

  async put(tx: Db, userId: bigint, settings: UserSettings): Promise<Outcome<UserSettings>> {
    await writeUserSettings(tx, userId, settings, this.now());
    // Every tab of the user follows (sounds, modes), the saving one included.
    return outcome(settings, [dispatch('settings_update', settings, toUsers(userId))]);
  }

  /** An account being deleted: its preferences go with it. */
  async forget(tx: Db, userId: bigint): Promise<Outcome<void>> {
    await deleteUserSettings(tx, userId);
    return outcome(undefined);
  }
}
