import type { IceServer } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTurnClient } from 'werift-ice';
import { allocate, type Coturn, haveCoturn, startCoturn, TurnClient } from '../../../test/coturn.js';
import { type Person, people } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { DEFAULT_VOICE_CONFIG } from '../../config.js';
import { iceServersFor } from './ice-servers.js';

/**
 * The TURN credentials GET /api/voice/ice-servers hands out, against a real coturn set up with
 * `use-auth-secret`: a fresh one allocates a relay; one signed with another secret, or expired,
 * is refused (401). Skipped only where coturn is not installed and this is not CI.
 */
const SECRET = 'a-shared-secret-of-some-length';
const TTL_SECONDS = 3_600;

describe.runIf(haveCoturn || process.env.CI === 'true')('TURN credentials, checked by coturn', () => {
  let coturn: Coturn;
  let server: TestServer;
  let ann: Person;
  let urls: string[];

  beforeAll(async () => {
    coturn = await startCoturn(SECRET);
    urls = [`turn:127.0.0.1:${coturn.port}?transport=udp`];
    server = await startTestServer({
      config: {
        voice: {
          iceServers: [{ urls: `stun:127.0.0.1:${coturn.port}` }],
          turn: { urls, secret: SECRET, ttlSeconds: TTL_SECONDS },
        },
      },
    });
    [ann] = await people(server.url, ['ann']);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await coturn?.stop();
  });

  const turnEntry = (servers: IceServer[]) => {
    const entry = servers.find((s) => s.username !== undefined);
    if (!entry?.username || !entry.credential) throw new Error('no TURN entry with a credential');
    return { username: entry.username, credential: entry.credential, urls: entry.urls };
  };

  it('hands each user a credential for their own id that lives DECENTRA_TURN_TTL_SECONDS', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { iceServers } = await ann.rest.iceServers();
    expect(iceServers[0]).toEqual({ urls: `stun:127.0.0.1:${coturn.port}` });
    const turn = turnEntry(iceServers);
    expect(turn.urls).toEqual(urls);
    const [expiry, userId] = turn.username.split(':');
    expect(userId).toBe(ann.id);
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(TTL_SECONDS);
    expect(Number(expiry) - before).toBeLessThanOrEqual(TTL_SECONDS + 5);
  });

  it('is accepted by coturn: an Allocate with it gets a relayed address', async () => {
    const turn = turnEntry((await ann.rest.iceServers()).iceServers);
    const verdict = await allocate(coturn.port, turn.username, turn.credential);
    if (!verdict.ok) expect.fail(`coturn refused the credential: ${verdict.errorCode}`);
    expect(verdict.message.getAttributeValue('XOR-RELAYED-ADDRESS')).toEqual([
      '127.0.0.1',
      expect.any(Number),
    ]);
    // And by a whole TURN client (werift's), which allocates and keeps its allocation.
    const client = await createTurnClient({
      address: ['127.0.0.1', coturn.port],
      username: turn.username,
      password: turn.credential,
    });
    try {
      expect(client.relayedAddress).toEqual(['127.0.0.1', expect.any(Number)]);
    } finally {
      await client.close();
    }
  });

  it('is refused by coturn when made with another secret, or once expired', async () => {
    const forged = turnEntry(
      iceServersFor(
        { ...DEFAULT_VOICE_CONFIG, turn: { urls, secret: 'not-the-secret-at-all', ttlSeconds: TTL_SECONDS } },
        BigInt(ann.id),
        Date.now(),
      ),
    );
    expect(await allocate(coturn.port, forged.username, forged.credential)).toEqual({
      ok: false,
      errorCode: 401,
    });
    const expired = turnEntry(
      iceServersFor(
        { ...DEFAULT_VOICE_CONFIG, turn: { urls, secret: SECRET, ttlSeconds: 60 } },
        BigInt(ann.id),
        Date.now() - 3_600_000,
      ),
    );
    expect(await allocate(coturn.port, expired.username, expired.credential)).toEqual({
      ok: false,
      errorCode: 401,
    });
  });

  it('will not relay into private, loopback or link-local addresses (the documented denied-peer-ip)', async () => {
    const turn = turnEntry((await ann.rest.iceServers()).iceServers);
    const client = new TurnClient(coturn.port, turn.username, turn.credential);
    try {
      expect((await client.allocate()).ok).toBe(true);
      // A permission only; nothing is sent to these addresses.
      for (const ip of [
        '10.1.2.3',
        '172.16.5.4',
        '192.168.1.1',
        '127.0.0.1',
        '169.254.169.254',
        '100.64.0.1',
      ]) {
        expect(await client.createPermission(ip), ip).toEqual({ ok: false, errorCode: 403 });
      }
    } finally {
      client.close();
    }
  });
});
