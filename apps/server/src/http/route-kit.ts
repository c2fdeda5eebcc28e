import { ErrorBodySchema } from '@decentra/protocol';
import type { Bus, BusMessage } from '../bus/bus.js';

/** The error answers every authenticated route may give, for the OpenAPI document. */
export const authedErrors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const bearer: Array<Record<string, string[]>> = [{ bearer: [] }, { cookie: [] }];

/** Publishes what a service call reported and hands back its result. */
export async function publishing<T>(
  bus: Bus,
  outcome: Promise<{ result: T; events: BusMessage[] }>,
): Promise<T> {
  const { result, events } = await outcome;
  await bus.publish(events);
  return result;
}
