import webPush from 'web-push';
import * as z from 'zod';
import { seal, unseal } from '../../infra/crypto.js';
import type { Db } from '../../storage/db.js';
import { insertSettingIfAbsent, readSetting } from './push.repo.js';

const KEY = 'vapid';

/** As stored in instance_settings: the private key sealed with the encryption key, like SMTP's password. */
const StoredVapidSchema = z.object({ publicKey: z.string().min(1), privateKeySealed: z.string().min(1) });
type StoredVapid = z.infer<typeof StoredVapidSchema>;

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * The instance's VAPID key pair (RFC 8292), made on first use and kept in the database, so that
 * every instance of an install signs with the same key (a browser's subscription is bound to the
 * public key it subscribed with). Two instances making one at once: each inserts if absent, then
 * both read back the one that won.
 */
export class VapidKeyStore {
  private stored: Promise<StoredVapid> | undefined;
  private unsealed: VapidKeys | undefined;

  constructor(
    private readonly db: Db,
    private readonly encryptionKey: Buffer,
    private readonly now: () => Date,
  ) {}

  async publicKey(): Promise<string> {
    return (await this.load()).publicKey;
  }

  /** Both keys; throws when the private key cannot be unsealed (another encryption key). */
  async keys(): Promise<VapidKeys> {
    if (this.unsealed) return this.unsealed;
    const stored = await this.load();
    let privateKey: string;
    try {
      privateKey = unseal(stored.privateKeySealed, this.encryptionKey);
    } catch {
      throw new Error(
        'The stored VAPID private key cannot be unsealed: DECENTRA_ENCRYPTION_KEY is not the key it was sealed with',
      );
    }
    this.unsealed = { publicKey: stored.publicKey, privateKey };
    return this.unsealed;
  }

  private load(): Promise<StoredVapid> {
    this.stored ??= this.readOrMake().catch((err: unknown) => {
      this.stored = undefined;
      throw err;
    });
    return this.stored;
  }

  private async readOrMake(): Promise<StoredVapid> {
    const existing = await this.read();
    if (existing) return existing;
    const made = webPush.generateVAPIDKeys();
    const value: StoredVapid = {
      publicKey: made.publicKey,
      privateKeySealed: seal(made.privateKey, this.encryptionKey),
    };
    await insertSettingIfAbsent(this.db, KEY, value, this.now());
    const winner = await this.read();
    if (!winner) throw new Error('the VAPID keys were stored but cannot be read back');
    return winner;
  }

  private async read(): Promise<StoredVapid | undefined> {
    const raw = await readSetting(this.db, KEY);
    if (raw === undefined) return undefined;
    const parsed = StoredVapidSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`instance setting '${KEY}' does not hold VAPID keys`);
    return parsed.data;
  }
}

/**
 * The JWT's `sub` (RFC 8292 §2.1): the instance's public https address when it has one (push
 * services use it to reach the operator), else a mailto of the instance's host. web-push refuses
 * http: subjects, and Apple's service refuses `https://localhost`.
 */
export function vapidSubject(publicUrl: string): string {
  const url = new URL(publicUrl);
  if (url.protocol === 'https:' && url.hostname !== 'localhost') return publicUrl;
  return `mailto:push@${url.hostname.replace(/^\[|\]$/g, '')}`;
}
