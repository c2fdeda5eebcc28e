// The embedded database's thread when the server runs from its TypeScript sources (tests, tsx):
// the thread starts without the parent's loader, so it registers tsx before importing the worker.
import { register } from 'tsx/esm/api';

register();
await import('./pglite-worker.ts');
