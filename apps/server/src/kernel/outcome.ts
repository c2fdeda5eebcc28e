import type { BusMessage } from './events.js';

/**
 * What every state-changing service method returns: its result, and the events that tell
 * clients about it. The command runner publishes the events once the change has committed.
 */
export interface Outcome<T> {
  result: T;
  events: BusMessage[];
}

export function outcome<T>(result: T, events: BusMessage[] = []): Outcome<T> {
  return { result, events };
}
