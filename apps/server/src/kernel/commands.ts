import type { Db } from '../storage/db.js';
import type { EventPublisher } from './events.js';
import type { Outcome } from './outcome.js';

/** Where a follow-up that failed is reported (it cannot undo the command that committed before it). */
export type FollowUpFailed = (err: unknown) => void;

/**
 * The one way state changes: a command runs (in a transaction it opens, or writing through its
 * own committed path), and only after it has committed are the events it returned published.
 * Then its follow-ups run, each a command of its own (awaited, so that their events too leave
 * before the command's caller answers). Routes, gateway ops, presence and calls all go through
 * here; services never publish.
 */
export class Commands {
  constructor(
    private readonly db: Db,
    private readonly events: EventPublisher,
    private readonly followUpFailed: FollowUpFailed = () => {},
  ) {}

  /** Runs `command` in one transaction; its events go out after the commit, never for a rollback. */
  async transaction<T>(command: (tx: Db) => Promise<Outcome<T>>): Promise<T> {
    return this.settle(await this.db.transaction((tx) => command(tx)));
  }

  /**
   * Runs a command that needs no transaction of its own: its write commits by itself (a message
   * through the group commit) or it keeps no rows (voice, calls, typing, presence). Its events
   * go out once it has returned.
   */
  async run<T>(command: () => Promise<Outcome<T>> | Outcome<T>): Promise<T> {
    return this.settle(await command());
  }

  private async settle<T>({ result, events, after }: Outcome<T>): Promise<T> {
    if (events.length > 0) await this.events.publish(events);
    for (const followUp of after ?? []) {
      // The command has committed: a follow-up that fails is reported, and the command stands.
      await this.run(followUp).catch(this.followUpFailed);
    }
    return result;
  }
}
