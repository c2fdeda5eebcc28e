import { describe, expect, it } from 'vitest';
import { DEFAULT_VOICE_CONFIG } from '../../config.js';
import { iceServersFor, turnCredential } from './ice-servers.js';

describe('turnCredential', () => {
  it('is base64(HMAC-SHA1(secret, username)): RFC 2202 test case 2', () => {
    // effcdf6ae5eb2fa2d27416d5f184df9c259a7c79 in hex.
    expect(turnCredential('Jefe', 'what do ya want for nothing?')).toBe('7/zfauXrL6LSdBbV8YTfnCWafHk=');
  });

  it('matches what openssl computes for a TURN REST username', () => {
    // printf '%s' '1767225600:251272133269782528' | openssl dgst -sha1 -hmac 'correct horse battery staple' -binary | base64
    expect(turnCredential('correct horse battery staple', '1767225600:251272133269782528')).toBe(
      'wh5k/833STbQP/3yI3QMxMluNYg=',
    );
  });
});

describe('iceServersFor', () => {
  const stun = { urls: 'stun:stun.example.org:3478' };
  const turn = {
    urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
    secret: 'correct horse battery staple',
    ttlSeconds: 86_400,
  };

  it('serves the static list alone without a TURN secret', () => {
    expect(iceServersFor({ ...DEFAULT_VOICE_CONFIG, iceServers: [stun] }, 7n, Date.now())).toEqual([stun]);
  });

  it('adds the TURN server with a credential for this user that expires ttlSeconds from now', () => {
    const now = Date.UTC(2025, 11, 31, 0, 0, 0, 999);
    const servers = iceServersFor(
      { ...DEFAULT_VOICE_CONFIG, iceServers: [stun], turn },
      251272133269782528n,
      now,
    );
    expect(servers).toEqual([
      stun,
      {
        urls: turn.urls,
        username: '1767225600:251272133269782528',
        credential: 'wh5k/833STbQP/3yI3QMxMluNYg=',
      },
    ]);
    expect(1767225600 - Math.floor(now / 1000)).toBe(turn.ttlSeconds);
  });
});
