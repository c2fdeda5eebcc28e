import type { BusMessage } from '../kernel/events.js';
import type { Bus, BusHandler } from './bus.js';

/** The single-instance bus: hands each message to the local gateway synchronously, in order. */
export class LocalBus implements Bus {
  private readonly handlers = new Set<BusHandler>();

  async publish(messages: readonly BusMessage[]): Promise<void> {
    for (const message of messages) {
      for (const handler of this.handlers) handler(message);
    }
  }

  subscribe(handler: BusHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async ping(): Promise<'none'> {
    return 'none';
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
