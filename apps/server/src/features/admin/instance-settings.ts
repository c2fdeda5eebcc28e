import {
  DEFAULT_INSTANCE_SETTINGS,
  DEFAULT_WELCOME_MAIL,
  type InstanceSettings,
  InstanceSettingsSchema,
  type WelcomeMailSettings,
  WelcomeMailSettingsSchema,
} from '@decentra/protocol';
import type * as z from 'zod';
import type { Db } from '../../storage/db.js';
import { readInstanceSetting, writeInstanceSetting } from './admin.repo.js';

/** A stored section, or its default when it was never saved (or no longer parses). */
async function readSection<T>(db: Db, key: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
  const parsed = schema.safeParse(await readInstanceSetting(db, key));
  return parsed.success ? parsed.data : fallback;
}

/** The instance's name and registration mode, and the welcome mail (instance_settings rows). */
export class InstanceSettingsStore {
  constructor(private readonly db: Db) {}

  instance(db: Db = this.db): Promise<InstanceSettings> {
    return readSection(db, 'instance', InstanceSettingsSchema, DEFAULT_INSTANCE_SETTINGS);
  }

  welcome(db: Db = this.db): Promise<WelcomeMailSettings> {
    return readSection(db, 'welcome', WelcomeMailSettingsSchema, DEFAULT_WELCOME_MAIL);
  }

  async saveInstance(tx: Db, value: InstanceSettings, now: Date): Promise<void> {
    await writeInstanceSetting(tx, 'instance', value, now);
  }

  async saveWelcome(tx: Db, value: WelcomeMailSettings, now: Date): Promise<void> {
    await writeInstanceSetting(tx, 'welcome', value, now);
  }
}
