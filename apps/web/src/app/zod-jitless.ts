import * as z from 'zod';

// zod compiles object parsers with `new Function` when it may, and finds out by trying once: under
// our CSP (`script-src 'self'`, no 'unsafe-eval') that try is blocked and reported as a violation on
// every page load. Jitless parsing is fast enough for a client. This module is imported first in
// main.tsx, so it runs before any schema is built (zod decides when a schema is made, not parsed).
z.config({ jitless: true });
