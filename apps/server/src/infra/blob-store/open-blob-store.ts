import { join } from 'node:path';
import type { FilesConfig } from '../../config.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

/** The store the config names: an S3 bucket (DECENTRA_S3_BUCKET), else `<dataDir>/files`. */
export function openBlobStore(config: FilesConfig, dataDir: string): BlobStore {
  return config.s3 ? new S3BlobStore(config.s3) : new LocalBlobStore(join(dataDir, 'files'));
}
