import * as z from 'zod';

/**
 * A backup is one gzipped tar: `manifest.json` first, then `keys/` (the encryption key, the
 * self-signed TLS certificate and key), then `tables/<table>/<part>.jsonl`, the rows of each table in
 * primary-key order as the database's own JSON (row_to_json), one row a line, parents before
 * children. Uploaded files will come as `files/`, listed in the manifest like the rest.
 */
export const FORMAT = 'decentra-backup';
export const FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';
export const ENCRYPTION_KEY_PART = 'keys/encryption.key';
export const TLS_CERT_PART = 'keys/tls/cert.pem';
export const TLS_KEY_PART = 'keys/tls/key.pem';
/** Rows per part: a part is held whole in memory on both sides (tar needs its size first). */
export const ROWS_PER_PART = 5000;

export const tablePart = (table: string, n: number): string =>
  `tables/${table}/${String(n).padStart(6, '0')}.jsonl`;

export const ManifestSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.number().int(),
  decentraVersion: z.string(),
  engine: z.enum(['pglite', 'postgres']),
  createdAt: z.string(),
  migrations: z.array(z.object({ version: z.number().int(), name: z.string() })),
  tables: z.array(
    z.object({ name: z.string(), rows: z.number().int().min(0), parts: z.number().int().min(0) }),
  ),
  /** Sequences' positions, so that ids a sequence hands out go on from where they were. */
  sequences: z.array(z.object({ name: z.string(), value: z.string() })),
  keys: z.object({ encryptionKey: z.boolean(), tls: z.boolean() }),
});
export type Manifest = z.infer<typeof ManifestSchema>;
