import type { Readable } from 'node:stream';
import {
  ENCRYPTION_KEY_PART,
  MANIFEST,
  type Manifest,
  ManifestSchema,
  TLS_CERT_PART,
  TLS_KEY_PART,
} from './archive-format.js';
import { CorruptArchiveError, readTar } from './tar-stream.js';

const TABLE_PART = /^tables\/([a-z0-9_]+)\/\d{6}\.jsonl$/;

/** Reads an archive through and checks it holds what its manifest says (a download cut short fails here). */
export async function verifyArchive(input: Readable): Promise<Manifest> {
  let manifest: Manifest | undefined;
  const rows = new Map<string, number>();
  const parts = new Set<string>();
  for await (const entry of readTar(input)) {
    if (!manifest) {
      const parsed = entry.path === MANIFEST ? ManifestSchema.safeParse(jsonOf(entry.data)) : undefined;
      if (!parsed?.success)
        throw new CorruptArchiveError('this is not a Decentra backup (no manifest.json first)');
      manifest = parsed.data;
      continue;
    }
    parts.add(entry.path);
    const table = TABLE_PART.exec(entry.path)?.[1];
    if (table !== undefined) {
      let n = 0;
      for (const byte of entry.data) if (byte === 0x0a) n++;
      rows.set(table, (rows.get(table) ?? 0) + n);
    }
  }
  if (!manifest) throw new CorruptArchiveError('the archive is empty');
  for (const t of manifest.tables) {
    if ((rows.get(t.name) ?? 0) !== t.rows) {
      throw new CorruptArchiveError(
        `the archive is incomplete: ${t.name} has ${rows.get(t.name) ?? 0} of ${t.rows} rows`,
      );
    }
  }
  const keys = [
    ...(manifest.keys.encryptionKey ? [ENCRYPTION_KEY_PART] : []),
    ...(manifest.keys.tls ? [TLS_CERT_PART, TLS_KEY_PART] : []),
  ];
  const missing = keys.find((k) => !parts.has(k));
  if (missing) throw new CorruptArchiveError(`the archive is incomplete: ${missing} is missing`);
  return manifest;
}

function jsonOf(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}
