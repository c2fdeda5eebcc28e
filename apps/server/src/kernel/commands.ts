import type { Db } from '../storage/db.js';
import type { EventPublisher } from './events.js';
import type { Outcome } from './outcome.js';

/**
 * The one way state changes: a command runs (in a transaction it opens, or writing through its
 * own committed path), and only after it has committed are the events it returned published.
 * Routes, gateway ops, presence and calls all go through here; services never publish.
 */
export class Commands {
  constructor(
    private readonly db: Db,
    private readonly events: EventPublisher,
  ) {}

  /** Runs `command` in one transaction; its events go out after the commit, never for a rollback. */
  async transaction<T>(command: (tx: Db) => Promise<Outcome<T>>): Promise<T> {
    const { result, events } = await this.db.transaction((tx) => command(tx));
    if (events.length > 0) await this.events.publish(events);
    return result;
  }

  /**
   * Runs a command that needs no transaction of its own: its write commits by itself (a message
   * through the group commit) or it keeps no rows (voice, calls, typing, presence). Its events
   * go out once it has returned.
   */
  async run<T>(command: () => Promise<Outcome<T>> | Outcome<T>): Promise<T> {
    const { result, events } = await command();
    if (events.length > 0) await this.events.publish(events);
    return result;
  }
}
