import { describe, expect, it } from 'vitest';
import { loginPathFor, safeReturnPath } from './return-path';

describe('safeReturnPath', () => {
  it('takes app paths of this origin, with their query and hash', () => {
    expect(safeReturnPath('/channels/1/2')).toBe('/channels/1/2');
    expect(safeReturnPath('/settings/account')).toBe('/settings/account');
    expect(safeReturnPath('/admin')).toBe('/admin');
    expect(safeReturnPath('/invite/abc?x=1#y')).toBe('/invite/abc?x=1#y');
  });

  it('refuses anything that could leave the app', () => {
    for (const bad of [
      undefined,
      null,
      '',
      'channels/1',
      '//evil.example/channels/1',
      '/\\evil.example',
      'https://evil.example/channels/1',
      'javascript:alert(1)',
      '/login',
      '/',
      '/api/users/@me',
      '/channels/../api/x',
    ]) {
      expect(safeReturnPath(bad), String(bad)).toBeUndefined();
    }
  });

  it('makes a login address only for paths it would take back', () => {
    expect(loginPathFor('/channels/1/2')).toBe('/login?next=%2Fchannels%2F1%2F2');
    expect(loginPathFor('/login')).toBe('/login');
  });
});
