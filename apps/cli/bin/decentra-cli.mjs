#!/usr/bin/env node
// The decentra-cli bin: runs the built client in this process. The bundle is not in git, and npm
// links bins at install time, so the link points here rather than at dist/ (made by
// `npm run build` or `npm run cli`).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/main.js', import.meta.url);
if (!existsSync(bundle)) {
  console.error(
    'decentra-cli is not built yet: run `npm run build` (or `npm run cli`) in the Decentra checkout.',
  );
  process.exit(1);
}
await import(bundle.href);
