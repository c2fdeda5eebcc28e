// @ts-check
/**
 * Production builds of the server and the terminal client (`npm start`, `npm run cli`, `npm run build`).
 * Each is one ES module made by esbuild from our sources, the workspace packages and the npm
 * dependencies, so `node` runs it directly: no tsx, no TypeScript at run time, and no resolving and
 * loading of ~1,100 files through node_modules on every start. esbuild only strips types;
 * type-checking is `npm run typecheck` (tsc -b). Tests, `vite` and the dev scripts keep running
 * from the sources.
 *
 *   node scripts/build.mjs [server] [cli] [--force]
 *
 * A target is rebuilt only when one of its inputs changed: dist/build.json records every file the
 * bundle was made from (esbuild's metafile) with its size, mtime and ctime, plus the lockfiles,
 * package.json/tsconfig files and this script. An up-to-date check stats those files (~10 ms).
 * Outputs are written to temporary names and renamed, so parallel builds (test workers) are safe.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * @typedef {object} Target
 * @property {string} entry      entry point, relative to the repository
 * @property {string} outfile    the bundle, relative to the repository
 * @property {string[]} external packages loaded from node_modules at run time
 * @property {string[]} config   files that shape the build besides the bundled sources
 * @property {boolean} [executable] starts with `#!/usr/bin/env node` and is chmod 755 (a bin)
 * @property {Record<string, string>} [workers] more entry points bundled beside it, by output
 *   name (`<name>.js` in the same folder): worker threads' modules
 */

const SHARED_CONFIG = [
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'tsconfig.base.json',
  'packages/protocol/package.json',
  'packages/client/package.json',
  'scripts/build.mjs',
];

/** @type {Record<string, Target>} */
export const TARGETS = {
  server: {
    entry: 'apps/server/src/main.ts',
    outfile: 'apps/server/dist/main.js',
    external: [
      // Finds its WebAssembly and data files next to its own modules, and the initdb child
      // process imports it by name (storage/db.ts).
      '@electric-sql/pglite',
      // A native addon, loaded from a per-platform package.
      '@node-rs/argon2',
      // libvips as a native addon, loaded from a per-platform @img package.
      'sharp',
      // pg's optional native driver; not installed, only required if asked for.
      'pg-native',
    ],
    config: [...SHARED_CONFIG, 'apps/server/package.json', 'apps/server/tsconfig.json'],
    // The embedded database's thread (storage/pglite-thread.ts finds it beside the bundle).
    workers: { 'pglite-worker': 'apps/server/src/storage/pglite-worker.ts' },
  },
  cli: {
    entry: 'apps/cli/src/main.ts',
    outfile: 'apps/cli/dist/main.js',
    external: [],
    config: [...SHARED_CONFIG, 'apps/cli/package.json', 'apps/cli/tsconfig.json'],
    executable: true,
  },
};

const MANIFEST = 'build.json';
const MANIFEST_VERSION = 2;

/**
 * Size, mtime and ctime: npm writes packages with a fixed mtime, but a reinstall changes ctime.
 * The bundle itself is compared without ctime, since npm chmods a bin's file when it links it.
 * @param {string} file absolute
 * @param {boolean} [withCtime]
 */
function fingerprint(file, withCtime = true) {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}${withCtime ? `:${s.ctimeMs}` : ''}`;
  } catch {
    return 'missing';
  }
}

/**
 * Why the target must be rebuilt, or undefined when its bundle is up to date.
 * @param {Target} target
 * @returns {string | undefined}
 */
export function staleReason(target) {
  const out = join(ROOT, target.outfile);
  /** @type {{ version: number, files: Record<string, string> }} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dirname(out), MANIFEST), 'utf8'));
  } catch {
    return 'not built yet';
  }
  if (manifest.version !== MANIFEST_VERSION) return 'built by another version of this script';
  for (const [file, recorded] of Object.entries(manifest.files)) {
    const output = file === target.outfile || file.startsWith(`${dirname(target.outfile)}/`);
    if (fingerprint(join(ROOT, file), !output) !== recorded) return `${file} changed`;
  }
  return undefined;
}

/**
 * esbuild puts every module into one file, so `import.meta.url`, `__dirname` and `__filename` would
 * all name the bundle. Modules that use them to find files beside them (the server's SQL migrations
 * and the web app's dist/, @fastify/swagger-ui's static files, pino's worker, …) get their own
 * original location instead, computed at run time relative to the bundle, so the files are found
 * where they are in the checkout or image.
 * @param {string} outdir absolute
 * @returns {import('esbuild').Plugin}
 */
function keepFileLocations(outdir) {
  const marker = /__dirname|__filename|import\.meta\.(?:url|dirname|filename)/;
  const PROLOGUE = /^(?:#![^\n]*\n)?(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:(['"])use strict\1;?)?/;
  return {
    name: 'keep-file-locations',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
        if (!marker.test(source)) return { contents: source, loader };
        const file = JSON.stringify(relative(outdir, args.path).split(sep).join('/'));
        const dir = JSON.stringify(relative(outdir, dirname(args.path)).split(sep).join('/') || '.');
        let contents;
        if (/\bimport\.meta\b/.test(source)) {
          // An ES module: only import.meta is special.
          contents = source
            .replace(/\bimport\.meta\.url\b/g, `__decentraUrl(${file})`)
            .replace(/\bimport\.meta\.filename\b/g, `__decentraPath(${file})`)
            .replace(/\bimport\.meta\.dirname\b/g, `__decentraPath(${dir})`);
        } else {
          // CommonJS: esbuild wraps the module in a function, so these stay local to it. They go
          // after a hashbang and a 'use strict' prologue (which must stay first to count), and on
          // the same line, so line numbers do not move.
          const prologue = PROLOGUE.exec(source)?.[0] ?? '';
          contents = `${prologue};var __filename = __decentraPath(${file}), __dirname = __decentraPath(${dir});${source.slice(prologue.length)}`;
        }
        return { contents, loader };
      });
    },
  };
}

const BANNER = [
  "import { createRequire as __decentraCreateRequire } from 'node:module';",
  "import { fileURLToPath as __decentraFileURLToPath } from 'node:url';",
  // CommonJS dependencies require() Node's built-ins and the external packages.
  'const require = __decentraCreateRequire(import.meta.url);',
  '/** @param {string} p */ const __decentraUrl = (p) => new URL(p, import.meta.url).href;',
  '/** @param {string} p */ const __decentraPath = (p) => __decentraFileURLToPath(new URL(p, import.meta.url));',
].join('\n');

/**
 * @param {string} name
 * @param {Target} target
 */
export async function buildTarget(name, target) {
  const { build, version } = await import('esbuild');
  const started = performance.now();
  const out = join(ROOT, target.outfile);
  const outdir = dirname(out);
  const main = basename(out).replace(/\.js$/, '');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { [main]: target.entry, ...target.workers },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: target.external.flatMap((p) => [p, `${p}/*`]),
    banner: { js: `${target.executable ? '#!/usr/bin/env node\n' : ''}${BANNER}` },
    plugins: [keepFileLocations(outdir)],
    // Lets a module tell that it runs from the bundle (storage/pglite-thread.ts).
    define: { __DECENTRA_BUNDLE__: 'true' },
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(outdir, { recursive: true });
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  for (const file of result.outputFiles) {
    writeFileSync(file.path + suffix, file.contents);
    if (target.executable && file.path === out) chmodSync(file.path + suffix, 0o755);
    renameSync(file.path + suffix, file.path);
  }
  /** @type {Record<string, string>} */
  const files = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...target.config]) {
    files[file] = fingerprint(join(ROOT, file));
  }
  files[target.outfile] = fingerprint(out, false);
  for (const name of Object.keys(target.workers ?? {})) {
    const file = join(dirname(target.outfile), `${name}.js`);
    files[file] = fingerprint(join(ROOT, file), false);
  }
  const manifest = { version: MANIFEST_VERSION, esbuild: version, files };
  const manifestFile = join(outdir, MANIFEST);
  writeFileSync(manifestFile + suffix, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(manifestFile + suffix, manifestFile);
  const inputs = Object.keys(result.metafile.inputs).length;
  const bytes = statSync(out).size;
  const hash = createHash('sha256').update(readFileSync(out)).digest('hex').slice(0, 12);
  return `${name}: ${target.outfile} (${inputs} modules, ${(bytes / 1024).toFixed(0)} KiB, ${hash}) in ${Math.round(performance.now() - started)} ms`;
}

/**
 * Builds the named targets that are out of date (all of them with `force`).
 * @param {string[]} names
 * @param {{ force?: boolean, log?: (line: string) => void }} [options]
 */
export async function ensureBuilt(names, { force = false, log = console.log } = {}) {
  for (const name of names) {
    const target = TARGETS[name];
    if (!target) throw new Error(`unknown build target ${name} (known: ${Object.keys(TARGETS).join(', ')})`);
    const reason = force ? 'forced' : staleReason(target);
    if (reason === undefined) continue;
    log(`[decentra] building ${name} (${reason})…`);
    log(`[decentra] ${await buildTarget(name, target)}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith('--'));
  try {
    await ensureBuilt(names.length ? names : Object.keys(TARGETS), { force: args.includes('--force') });
  } catch (err) {
    // esbuild has already printed the errors with their locations.
    console.error(`[decentra] build failed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
    process.exit(1);
  }
}
