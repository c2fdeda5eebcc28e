import { readFileSync } from 'node:fs';

let version: string | undefined;

/** The release: the root package.json's version, read once (beside the sources and the bundle alike). */
export function serverVersion(): string {
  if (version === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../../../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    version = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return version;
}
