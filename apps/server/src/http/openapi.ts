import { createHash } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { policyAllowing } from './security-headers.js';
import type { App } from './types.js';

/**
 * The one inline style Swagger UI puts on its page: the `<style>` inside its logo's SVG (a React
 * element in its bundle). The docs page's policy is the app's own with exactly this style allowed
 * by its hash, so a different inline style (a new Swagger UI version) shows as a violation.
 */
const SWAGGER_LOGO_STYLE = '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}';
const DOCS_POLICY = policyAllowing('style-src', [
  `'sha256-${createHash('sha256').update(SWAGGER_LOGO_STYLE).digest('base64')}'`,
]);

/** The REST half of the contract as OpenAPI, generated from the same zod schemas that validate. */
export async function registerOpenApi(app: App): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Decentra API',
        version: '1.0.0',
        description:
          'REST half of the Decentra wire contract. The gateway (/ws) is described in docs/api.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'decentra_session' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: DOCS_POLICY });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
