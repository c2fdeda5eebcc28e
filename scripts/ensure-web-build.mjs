// `npm start` runs this first: builds the web app (apps/web/dist) when it is missing, so a fresh
// clone works with `npm ci && npm start`. A failed build is reported but does not stop the server,
// which then serves a page saying the web app is not built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}/apps/web/dist/index.html`)) {
  console.log('[decentra] building the web app (apps/web/dist is missing)…');
  const result = spawnSync('npm', ['run', 'build', '-w', '@decentra/web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0)
    console.warn('[decentra] the web app could not be built; the server starts without it.');
}
