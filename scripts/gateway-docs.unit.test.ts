import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_DOC, withGeneratedBlocks } from './gateway-docs.js';

describe('docs/api.md', () => {
  it('lists every gateway op and event exactly as the protocol schemas define them', () => {
    const doc = readFileSync(API_DOC, 'utf8');
    // On a mismatch: `npm run docs:gateway` rewrites the tables from the schemas.
    expect(doc).toBe(withGeneratedBlocks(doc));
  });
});
