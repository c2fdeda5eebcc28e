import type { BusMessage, EventPublisher } from '../kernel/events.js';

export type BusHandler = (message: BusMessage) => void;

/**
 * Carries events from the command that produced them to every instance's gateway.
 * In-process for one instance; a Redis implementation fills the same shape for several.
 */
export interface Bus extends EventPublisher {
  subscribe(handler: BusHandler): () => void;
  /** Resolves while the bus can carry events (Redis answers); `none` when there is no broker. */
  ping(): Promise<'ok' | 'none'>;
  close(): Promise<void>;
}
