import { GATEWAY_LIMITS, jsonInputProblem } from '@decentra/protocol';
import { invalidInput } from '../infra/errors.js';
import type { App } from './types.js';

/**
 * JSON bodies are parsed by Fastify's own parser (prototype-poisoning safe), then held to the
 * same limits as gateway frames: bounded nesting and well-formed strings (no lone surrogates).
 */
export function registerJsonBodyLimits(app: App): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parse(
      req,
      typeof body === 'string' ? body : body.toString('utf8'),
      (err: Error | null, value?: unknown) => {
        if (err) return done(err, undefined);
        const problem = jsonInputProblem(value, GATEWAY_LIMITS.maxJsonDepth);
        if (problem) return done(invalidInput(problem), undefined);
        done(null, value);
      },
    );
  });
}
