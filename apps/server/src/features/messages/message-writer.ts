import type { Db } from '../../storage/db.js';
import type { MessageRow } from '../../storage/rows.js';
import { insertMessages, type NewMessageRow } from './messages.repo.js';

interface PendingInsert {
  row: NewMessageRow;
  resolve: (row: MessageRow | undefined) => void;
  reject: (err: unknown) => void;
}

/** The most rows one INSERT carries; a longer queue is written in several. */
const MAX_BATCH = 100;

/**
 * Group commit for new messages. Inserts are queued and written at the end of the event-loop turn
 * (every frame read from the sockets in this turn has had its say by then), and those that arrive
 * while a write is under way wait for it to finish: each group goes to the database as one
 * multi-row INSERT, one round trip and one commit for all. Quiet, a group is one message and waits
 * for nothing but the end of the turn. Each caller's promise settles after the commit that holds
 * its row, so an ack or an event never leaves before its message is stored. A group that fails is
 * retried row by row, so one bad row (its channel deleted meanwhile) fails alone.
 */
export class MessageWriter {
  private queue: PendingInsert[] = [];
  /** A drain is scheduled or running; new inserts just join the queue. */
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly onGroup: (rows: number) => void = () => {},
  ) {}

  /** The stored row; undefined if this author already used this nonce (the first one stands). */
  insert(row: NewMessageRow): Promise<MessageRow | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // PGlite runs a query on this thread at once: without the wait, groups would be of one.
        setImmediate(() => void this.drain());
      }
    });
  }

  /**
   * Writes one group, then lets the event loop turn (sockets are written, new frames read) before
   * the next: back to back, groups would hold the loop for as long as the queue lasts.
   */
  private async drain(): Promise<void> {
    const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
    this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
    this.onGroup(batch.length);
    try {
      await this.write(batch);
    } finally {
      if (this.queue.length > 0) setImmediate(() => void this.drain());
      else this.writing = false;
    }
  }

  private async write(batch: PendingInsert[]): Promise<void> {
    let stored: MessageRow[];
    try {
      stored = await insertMessages(
        this.db,
        batch.map((p) => p.row),
      );
    } catch (err) {
      if (batch.length === 1) return batch[0]?.reject(err);
      for (const p of batch) await this.write([p]);
      return;
    }
    const byId = new Map(stored.map((r) => [r.id, r]));
    for (const p of batch) p.resolve(byId.get(p.row.id));
  }
}
