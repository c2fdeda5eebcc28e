import type { Readable } from 'node:stream';
import {
  ERROR_STATUS,
  ErrorBodySchema,
  type ErrorCode,
  ROUTE_NAMES,
  ROUTES,
  type RouteName,
  type RouteSpec,
  type Routes,
} from '@decentra/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type * as z from 'zod';
import type { AuthContext, Authenticate } from '../kernel/actor.js';
import { requireAdmin, requireAuth } from './auth.js';
import type { App } from './types.js';
import { acceptRawBodies, type UploadBody, uploadBody } from './upload-body.js';

type Parsed<R, K extends string> = R extends { [P in K]: infer S extends z.ZodType }
  ? z.output<S>
  : undefined;

/** What a route's handler gets: the validated request, the caller, and Fastify's objects. */
export interface RouteCall<N extends RouteName> {
  params: Parsed<Routes[N], 'params'>;
  query: Parsed<Routes[N], 'query'>;
  body: Parsed<Routes[N], 'body'>;
  /** An upload route's file: its bytes as they arrive, and the length the client declared. */
  upload: Routes[N] extends { upload: true } ? UploadBody : undefined;
  /** The caller; there for every route but those open to anyone. */
  auth: Routes[N]['auth'] extends 'none' ? undefined : AuthContext;
  req: FastifyRequest;
  reply: FastifyReply;
}

// A 204 handler answers nothing: `void` is the honest return type of such an async function.
// A download is streamed as it is made (a backup can be larger than memory).
type Answer<N extends RouteName> = Routes[N]['status'] extends 204
  ? // biome-ignore lint/suspicious/noConfusingVoidType: see above.
    void
  : Routes[N] extends { download: string }
    ? Readable
    : z.input<Routes[N]['response']>;
export type RouteHandler<N extends RouteName> = (call: RouteCall<N>) => Promise<Answer<N>>;
/** Handlers for the routes `K`; the app assembles one for every route of the contract. */
export type RouteHandlers<K extends RouteName = RouteName> = { [N in K]: RouteHandler<N> };

const USER_ERRORS: readonly ErrorCode[] = [
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
];
const PUBLIC_ERRORS: readonly ErrorCode[] = ['invalid_input', 'rate_limited'];

/**
 * Registers every route of the contract (packages/protocol routes.ts) with its handler: the
 * contract's schemas validate the input, shape the answer and make the OpenAPI document.
 */
export interface RouteLimits {
  /** The largest body an upload route takes (its service may hold a file to less). */
  maxUploadBytes: number;
}

export function registerRoutes(
  app: App,
  authenticate: Authenticate,
  handlers: RouteHandlers,
  limits: RouteLimits,
): void {
  const auth = requireAuth(authenticate);
  const admin = [auth, requireAdmin];
  const define = (target: App, name: RouteName) => {
    const spec: RouteSpec = ROUTES[name];
    const handler = handlers[name] as RouteHandler<RouteName>;
    const errors = spec.errors ?? (spec.auth === 'none' ? PUBLIC_ERRORS : USER_ERRORS);
    target.route({
      method: spec.method,
      url: spec.path,
      ...(spec.auth === 'none' ? {} : { preHandler: spec.auth === 'admin' ? admin : auth }),
      ...(spec.upload ? uploadBody(limits.maxUploadBytes) : {}),
      schema: {
        tags: [...spec.tags],
        summary: spec.summary,
        operationId: name,
        ...(spec.auth === 'none' ? {} : { security: [{ bearer: [] }, { cookie: [] }] }),
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
        response: {
          [spec.status]: spec.response,
          ...spec.otherResponses,
          ...Object.fromEntries(errors.map((code) => [ERROR_STATUS[code], ErrorBodySchema])),
        },
      },
      handler: async (req, reply) => {
        reply.status(spec.status);
        if (spec.download) reply.type(spec.download);
        // Validated (and defaulted) by the contract's schemas before the handler runs.
        const call = {
          params: req.params,
          query: req.query,
          body: spec.upload ? undefined : req.body,
          upload: spec.upload
            ? { stream: req.body, length: Number(req.headers['content-length']) }
            : undefined,
          auth: spec.auth === 'none' ? undefined : (req.auth ?? undefined),
          req,
          reply,
        } as RouteCall<RouteName>;
        const answer = await handler(call);
        return spec.status === 204 ? null : answer;
      },
    });
  };
  const isUpload = (name: RouteName) => (ROUTES[name] as RouteSpec).upload === true;
  for (const name of ROUTE_NAMES) if (!isUpload(name)) define(app, name);
  // Upload routes live in a context of their own whose only body parser hands over the stream.
  const uploads = ROUTE_NAMES.filter(isUpload);
  app.register(async (child: App) => {
    acceptRawBodies(child);
    for (const name of uploads) define(child, name);
  });
}
