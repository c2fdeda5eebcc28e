/**
 * The layering of the server, checked in CI (`npm run lint:deps`):
 * transport (http/, gateway/, *.routes.ts, *.ops.ts) → services → repos → storage,
 * with the shared kernel (actor, outcome, events, commands, clock) below them all.
 */
const SRC = '^apps/server/src';
const TESTS = '\\.test\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'services-know-no-transport',
      comment: 'A service decides and writes; it never sees HTTP or sockets.',
      severity: 'error',
      from: { path: `${SRC}/features/.+\\.(service|repo|policy)\\.ts$` },
      to: { path: `${SRC}/(http|gateway)/` },
    },
    {
      name: 'no-foreign-repos',
      comment: "A feature reaches another feature's data through its service, never its repo.",
      severity: 'error',
      from: { path: `${SRC}/features/([^/]+)/`, pathNot: TESTS },
      to: { path: `${SRC}/features/[^/]+/[^/]+\\.repo\\.ts$`, pathNot: `${SRC}/features/$1/` },
    },
    {
      name: 'gateway-knows-no-features',
      comment: 'The gateway delivers and dispatches; features plug in through the kernel and op handlers.',
      severity: 'error',
      from: { path: `${SRC}/gateway/`, pathNot: TESTS },
      to: { path: `${SRC}/features/` },
    },
    {
      name: 'http-knows-no-features',
      comment: 'The route kit and error handling serve every feature and depend on none.',
      severity: 'error',
      from: { path: `${SRC}/http/`, pathNot: TESTS },
      to: { path: `${SRC}/features/` },
    },
    {
      name: 'kernel-stays-neutral',
      comment: 'The shared kernel sits below everything else of the server.',
      severity: 'error',
      from: { path: `${SRC}/kernel/` },
      to: { path: `${SRC}/(features|http|gateway|bus)/` },
    },
    {
      name: 'sql-only-in-repos',
      comment: 'Queries live in repos (and storage); services and policies call them.',
      severity: 'error',
      from: { path: `${SRC}/features/.+\\.(service|policy|routes|ops)\\.ts$` },
      to: { path: '^node_modules/drizzle-orm/' },
    },
    {
      name: 'protocol-stands-alone',
      comment: 'The contract depends on nothing of ours.',
      severity: 'error',
      from: { path: '^packages/protocol/src/' },
      to: { path: '^(apps|packages/client)/' },
    },
    {
      name: 'sdk-knows-no-server',
      severity: 'error',
      from: { path: '^packages/client/src/', pathNot: TESTS },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      comment: 'Runtime cycles only: a session and its socket may name each other’s types.',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.tsbuild)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
