import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Attachment, UploadUsage } from '@decentra/protocol';
import type { FilesConfig } from '../../config.js';
import type { BlobStore, ByteRange } from '../../infra/blob-store/blob-store.js';
import { DomainError, invalidInput, notFound } from '../../infra/errors.js';
import type { IdGenerator } from '../../infra/ids.js';
import type { Actor } from '../../kernel/actor.js';
import type { Clock, TimerHandle } from '../../kernel/clock.js';
import type { Db } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import type { DmSendCheck, MessageAttachments } from '../messages/messages.service.js';
import {
  type AttachmentRow,
  attachmentsOf,
  blobSize,
  claimAttachments,
  deleteBlobIfUnreferenced,
  deleteStale,
  findAttachment,
  insertAttachment,
  lockBlob,
  releaseQuota,
  reserveQuota,
  unclaim,
  unreferencedBlobs,
  usedBytes,
} from './attachments.repo.js';
import type { FileUrls, FileVariant } from './file-urls.js';
import { detect, processImage } from './media.js';

/** Uploads not sent within this are removed. */
export const UNSENT_LIFETIME_MS = 60 * 60 * 1000;
const SWEEP_EVERY_MS = 10 * 60 * 1000;
const BLOB_BATCH = 200;

/** A file as it arrives: its bytes, and as many as the sender announced. */
export interface IncomingFile {
  stream: Readable;
  length: number;
}

/** A file on disk with its hash. */
interface SpooledFile {
  path: string;
  sha256: string;
  size: number;
}

export interface AttachmentsDeps {
  db: Db;
  ids: IdGenerator;
  access: AccessService;
  canSendDm: DmSendCheck;
  store: BlobStore;
  urls: FileUrls;
  config: FilesConfig;
  /** Where uploads are spooled while they arrive and are processed (inside the data folder). */
  spoolDir: string;
  clock: Clock;
  onProblem: (message: string, err: unknown) => void;
}

/** What the file routes serve: the bytes (or a range), and what to say about them. */
export interface ServedFile {
  row: AttachmentRow;
  variant: FileVariant;
  size: number;
  contentType: string;
  open(range?: ByteRange): Promise<NodeJS.ReadableStream | undefined>;
}

export interface SweepResult {
  attachments: number;
  blobs: number;
}

/**
 * Files sent in messages: uploads (checked, typed from their bytes, images cleaned of metadata),
 * the quota, the claim a message makes on them, their signed URLs, and the sweep that removes
 * what nothing needs any more.
 */
export class AttachmentsService implements MessageAttachments {
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly deps: AttachmentsDeps) {}

  /** Starts the periodic sweep (unsent uploads, unreferenced blobs) on the app's clock. */
  start(): void {
    const tick = () => {
      if (this.closed) return;
      this.sweep()
        .catch((err: unknown) => this.deps.onProblem('the file sweep failed', err))
        .finally(() => {
          if (!this.closed) this.timer = this.deps.clock.setTimeout(tick, SWEEP_EVERY_MS);
        });
    };
    this.timer = this.deps.clock.setTimeout(tick, SWEEP_EVERY_MS);
  }

  stop(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  async usage(userId: bigint): Promise<UploadUsage> {
    const { config, db } = this.deps;
    return {
      usedBytes: await usedBytes(db, userId),
      quotaBytes: config.uploadQuotaBytes,
      maxFileBytes: config.maxUploadBytes,
    };
  }

  /**
   * Takes a file for `channelId` from someone who may send messages there. Refused before a
   * byte is read when it is larger than the cap or would pass the uploader's quota (the length
   * is reserved until the file is stored or refused); spooled to disk while hashed, never held
   * in memory whole.
   */
  async upload(actor: Actor, channelId: bigint, filename: string, body: IncomingFile): Promise<Attachment> {
    const { db, config } = this.deps;
    await this.checkCanSend(actor.id, channelId);
    if (body.length > config.maxUploadBytes) {
      throw new DomainError('payload_too_large', `A file may be at most ${config.maxUploadBytes} bytes.`);
    }
    if (body.length === 0) throw invalidInput('The file is empty.');
    if (!(await reserveQuota(db, actor.id, body.length, config.uploadQuotaBytes))) {
      throw new DomainError(
        'payload_too_large',
        `This file would pass your storage quota of ${config.uploadQuotaBytes} bytes. Delete some files first.`,
      );
    }
    const temps: string[] = [];
    try {
      const spooled = await this.spool(body, temps);
      // Stored, the file's reservation ends in the same transaction that counts its size.
      const row = await this.store(actor.id, channelId, filename, spooled, temps, body.length);
      return this.toAttachment(row);
    } catch (err) {
      await releaseQuota(db, actor.id, body.length).catch((e: unknown) =>
        this.deps.onProblem('an upload reservation was not released', e),
      );
      throw err;
    } finally {
      await Promise.all(temps.map((t) => unlink(t).catch(() => {})));
    }
  }

  /** Claims the sender's unsent uploads of the channel for the message, or refuses them all. */
  async claim(
    senderId: bigint,
    channelId: bigint,
    messageId: bigint,
    ids: readonly string[],
  ): Promise<Attachment[]> {
    const wanted = ids.map((id) => BigInt(id));
    const rows = await claimAttachments(this.deps.db, senderId, channelId, messageId, wanted);
    if (rows.length !== wanted.length) {
      if (rows.length > 0) await unclaim(this.deps.db, messageId);
      throw invalidInput('Send only your own files uploaded to this channel, each once and not sent before.');
    }
    return rows.sort((a, b) => (a.position ?? 0) - (b.position ?? 0)).map((r) => this.toAttachment(r));
  }

  async release(messageId: bigint): Promise<void> {
    await unclaim(this.deps.db, messageId);
  }

  /** The attachments of messages, in order, by message id (history, search, pins). */
  async of(db: Db, messageIds: readonly bigint[]): Promise<Map<string, Attachment[]>> {
    const byMessage = new Map<string, Attachment[]>();
    for (const row of await attachmentsOf(db, messageIds)) {
      const key = String(row.messageId);
      const list = byMessage.get(key) ?? [];
      list.push(this.toAttachment(row));
      byMessage.set(key, list);
    }
    return byMessage;
  }

  /**
   * A file to serve: by its signed URL, or else to a session of someone who may read its
   * channel (and, while it is unsent, only to its uploader). Anything else is "not found".
   */
  async serve(
    id: bigint,
    variant: FileVariant,
    signature: { expires?: number | undefined; sig?: string | undefined },
    viewer: () => Promise<bigint | undefined>,
  ): Promise<ServedFile> {
    const { db, urls, store } = this.deps;
    const row = await findAttachment(db, id);
    const sha = variant === 'preview' ? row?.previewSha256 : row?.blobSha256;
    if (!row || !sha) throw notFound('No such file.');
    if (!urls.verify(id, variant, signature.expires, signature.sig)) {
      const userId = await viewer();
      if (userId === undefined) throw notFound('No such file.');
      if (row.messageId === null && row.uploaderId !== userId) throw notFound('No such file.');
      await this.deps.access.channel(db, row.channelId, userId).catch(() => {
        throw notFound('No such file.');
      });
    }
    const size = variant === 'preview' ? await this.blobSize(sha) : row.size;
    return {
      row,
      variant,
      size,
      contentType: variant === 'preview' ? 'image/webp' : row.contentType,
      open: (range) => store.get(sha, range),
    };
  }

  /**
   * Removes uploads unsent for an hour (by the app's clock), then every blob nothing refers to,
   * each under its row's lock and with its bytes, so an upload of the same bytes never loses them.
   */
  async sweep(): Promise<SweepResult> {
    const { db, clock } = this.deps;
    const attachments = await deleteStale(db, new Date(clock.now() - UNSENT_LIFETIME_MS));
    return { attachments, blobs: await this.collect() };
  }

  /** Deletes the blobs nothing refers to any more (after a message or channel went). */
  async collect(): Promise<number> {
    let count = 0;
    for (;;) {
      const candidates = await unreferencedBlobs(this.deps.db, BLOB_BATCH);
      let deleted = 0;
      for (const sha of candidates) if (await this.dropIfUnreferenced(sha)) deleted += 1;
      count += deleted;
      if (candidates.length < BLOB_BATCH || deleted === 0) return count;
    }
  }

  /** Deletes a blob's row and bytes when nothing refers to it; false when something does (or it failed). */
  private async dropIfUnreferenced(sha: string): Promise<boolean> {
    return this.deps.db
      .transaction(async (tx) => {
        if (!(await deleteBlobIfUnreferenced(tx, sha))) return false;
        // Still under the row's lock: an upload of these bytes waits, then stores them again.
        await this.deps.store.delete(sha);
        return true;
      })
      .catch((err: unknown) => {
        this.deps.onProblem('a blob could not be deleted', err);
        return false;
      });
  }

  private async checkCanSend(userId: bigint, channelId: bigint): Promise<void> {
    const standing = await this.deps.access.channel(this.deps.db, channelId, userId);
    if (standing.channel.type === 'voice') throw invalidInput('Voice channels hold no messages.');
    if (standing.dmEnds) await this.deps.canSendDm(this.deps.db, standing.dmEnds, userId);
  }

  /** The request's bytes into a file of the spool, exactly as many as announced. */
  private async spool(body: IncomingFile, temps: string[]): Promise<SpooledFile> {
    await mkdir(this.deps.spoolDir, { recursive: true, mode: 0o700 });
    const path = join(this.deps.spoolDir, randomUUID());
    temps.push(path);
    let seen = 0;
    const hash = createHash('sha256');
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > body.length) return done(invalidInput('The file is longer than its Content-Length.'));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body.stream, limit, createWriteStream(path, { mode: 0o600 }));
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw invalidInput('The upload was cut short.');
    }
    if (seen !== body.length) throw invalidInput('The upload was cut short.');
    return { path, sha256: hash.digest('hex'), size: seen };
  }

  /** Types the spooled file, cleans an image, stores the bytes and records the upload. */
  private async store(
    uploaderId: bigint,
    channelId: bigint,
    filename: string,
    spooled: SpooledFile,
    temps: string[],
    reserved: number,
  ): Promise<AttachmentRow> {
    let detected = await detect(spooled.path);
    let file = spooled;
    let image: { width: number; height: number; animated: boolean } | undefined;
    let preview: SpooledFile | undefined;
    if (detected.kind === 'image') {
      const cleaned = `${spooled.path}.clean`;
      const small = `${spooled.path}.preview`;
      temps.push(cleaned, small);
      image = await processImage(spooled.path, detected.contentType, cleaned, small);
      if (image) {
        [file, preview] = await Promise.all([hashFile(cleaned), hashFile(small)]);
      } else {
        // Claims to be an image but does not decode: a download, never shown.
        detected = { contentType: 'application/octet-stream', kind: 'file' };
      }
    }
    const { store } = this.deps;
    await store.putFile(file.path, file.sha256);
    if (preview) await store.putFile(preview.path, preview.sha256);
    const stored = [file, ...(preview ? [preview] : [])];
    return this.recordUpload(stored, async (tx) => {
      await this.keep(tx, file);
      if (preview) await this.keep(tx, preview);
      await releaseQuota(tx, uploaderId, reserved);
      return insertAttachment(tx, {
        id: this.deps.ids.next(),
        uploaderId,
        channelId,
        blobSha256: file.sha256,
        filename,
        size: file.size,
        contentType: detected.contentType,
        kind: detected.kind,
        width: image?.width ?? null,
        height: image?.height ?? null,
        animated: image?.animated ?? false,
        previewSha256: preview?.sha256 ?? null,
        createdAt: new Date(this.deps.clock.now()),
      });
    });
  }

  /**
   * Runs the upload's transaction. When it fails, the bytes already in the store have no row yet
   * (nothing would ever collect them): each gets one, then goes unless something refers to it,
   * under the row's lock like any collection. Best effort: with the database away, they stay.
   */
  private async recordUpload<T>(stored: readonly SpooledFile[], write: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction(write);
    } catch (err) {
      for (const blob of stored) {
        await lockBlob(this.deps.db, blob.sha256, blob.size)
          .then(() => this.dropIfUnreferenced(blob.sha256))
          .catch(() => {});
      }
      throw err;
    }
  }

  /** The blob's row, locked; its bytes stored again if a sweep removed them meanwhile. */
  private async keep(tx: Db, blob: SpooledFile): Promise<void> {
    await lockBlob(tx, blob.sha256, blob.size);
    if (!(await this.deps.store.exists(blob.sha256))) await this.deps.store.putFile(blob.path, blob.sha256);
  }

  private async blobSize(sha256: string): Promise<number> {
    return (await blobSize(this.deps.db, sha256)) ?? 0;
  }

  toAttachment(row: AttachmentRow): Attachment {
    const { urls } = this.deps;
    return {
      id: row.id.toString(),
      filename: row.filename,
      size: row.size,
      contentType: row.contentType,
      kind: row.kind,
      ...(row.width !== null && row.height !== null ? { width: row.width, height: row.height } : {}),
      ...(row.animated ? { animated: true as const } : {}),
      url: urls.file(row.id, row.filename),
      ...(row.previewSha256 !== null ? { previewUrl: urls.preview(row.id) } : {}),
    };
  }
}

async function hashFile(path: string): Promise<SpooledFile> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { path, sha256: hash.digest('hex'), size };
}
