import type { BusMessage } from './events.js';

/**
 * A command to run once the one that returned it has committed and its events are out: work that
 * must not run inside that command's transaction, such as a message written through the group
 * commit (on the embedded engine the transaction holds the one connection until it ends).
 */
export type FollowUp = () => Promise<Outcome<unknown>> | Outcome<unknown>;

/**
 * What every state-changing service method returns: its result, and the events that tell
 * clients about it. The command runner publishes the events once the change has committed, then
 * runs the follow-ups, if any, as commands of their own.
 */
export interface Outcome<T> {
  result: T;
  events: BusMessage[];
  after?: FollowUp[];
}

export function outcome<T>(result: T, events: BusMessage[] = [], after: FollowUp[] = []): Outcome<T> {
  return after.length > 0 ? { result, events, after } : { result, events };
}

/** One outcome from several: their events in order, then their follow-ups in order. */
export function combine<T>(result: T, parts: readonly Outcome<unknown>[]): Outcome<T> {
  return outcome(
    result,
    parts.flatMap((p) => p.events),
    parts.flatMap((p) => p.after ?? []),
  );
}

/**
 * Listeners a service tells of a change inside the command that makes it (a member removed, a
 * friendship ended): each answers what it changed in its turn, as an outcome that joins the command's.
 */
export class Listeners<A extends unknown[]> {
  private readonly list: Array<(...args: A) => Outcome<void>> = [];

  add(listener: (...args: A) => Outcome<void>): void {
    this.list.push(listener);
  }

  tell(...args: A): Outcome<void> {
    return combine(
      undefined,
      this.list.map((listener) => listener(...args)),
    );
  }
}

/**
 * Listeners that may wait on something outside the transaction (voice state shared in Redis)
 * before answering; told in the command that makes the change, as `Listeners` are.
 */
export class AsyncListeners<A extends unknown[]> {
  private readonly list: Array<(...args: A) => Outcome<void> | Promise<Outcome<void>>> = [];

  add(listener: (...args: A) => Outcome<void> | Promise<Outcome<void>>): void {
    this.list.push(listener);
  }

  /** Tells them one after another, in the order they were added. */
  async tell(...args: A): Promise<Outcome<void>> {
    const parts: Outcome<void>[] = [];
    for (const listener of this.list) parts.push(await listener(...args));
    return combine(undefined, parts);
  }
}
