import { describe, expect, it } from 'vitest';
import { carriesToken } from './metrics-http.js';

const TOKEN = 'metrics-token-0123456789';

describe('carriesToken', () => {
  it('accepts exactly `Bearer <token>`, the scheme in any case', () => {
    expect(carriesToken(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(carriesToken(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it('refuses no header, another scheme, another token, a prefix or a longer one', () => {
    for (const header of [
      undefined,
      '',
      TOKEN,
      `Basic ${TOKEN}`,
      'Bearer ',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN} extra`,
    ]) {
      expect(carriesToken(header, TOKEN), String(header)).toBe(false);
    }
  });
});
