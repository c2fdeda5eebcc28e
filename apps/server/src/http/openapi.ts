import { createHash } from 'node:crypto';
import { ROUTE_NAMES, ROUTES, type RouteSpec } from '@decentra/protocol';
import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger';
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

/** Upload routes, by `METHOD path`: their body is a file's bytes, which no zod schema describes. */
const UPLOADS = new Set(
  ROUTE_NAMES.map((name): RouteSpec => ROUTES[name])
    .filter((spec) => spec.upload)
    .map((spec) => `${spec.method} ${spec.path}`),
);
const FILE_BODY = {
  required: true,
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
};

const transform: SwaggerTransform = (input) => {
  const out = jsonSchemaTransform(input);
  if (!UPLOADS.has(`${String(input.route.method)} ${input.url}`)) return out;
  return { ...out, schema: { ...out.schema, body: FILE_BODY } };
};

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
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: DOCS_POLICY });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
