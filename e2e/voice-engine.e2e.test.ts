import { type VoiceSignalPayload, VoiceSignalPayloadSchema } from '@decentra/protocol';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_MEDIA, launchBrowser, type Person } from './support/browser.js';
import { story } from './support/story.js';
import type { Received } from './support/voice-page.js';

/**
 * The voice engine in real Chromium: one engine per browser profile (its own process), real
 * WebRTC over loopback, Chromium's fake microphone (it beeps), and signalling relayed by the test
 * (checked against the gateway's schema for `voice_signal`); the server's relay is tested with the
 * server. What is checked is what someone in the call would notice: hearing the others, silence
 * from whoever mutes, speaking indicators, and that nothing breaks when both ends offer at once.
 */

const ORIGIN = 'http://localhost'; // a secure context, so getUserMedia works; served by page.route
const ALICE = '100';
const BOB = '200';
const CAROL = '300';
const NAMES: Record<string, string> = { [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol' };

/** Below -60 dBFS: nothing to hear. */
const SILENT_RMS = 0.001;
/** Above -40 dBFS: clearly audible (the fake microphone's beeps arrive at -20..-2 dBFS). */
const HEARD_RMS = 0.01;
/** Audio time a silence check covers: longer than the gap between two beeps of the fake microphone. */
const SILENCE_WINDOW_S = 1.2;

interface Signal {
  from: string;
  to: string;
  payload: VoiceSignalPayload;
}

/**
 * Carries signals between the pages in order, as the gateway would, and can hold them back (to make
 * two offers cross). Every payload must pass the gateway's schema, or the real server would drop it.
 */
class Relay {
  readonly sent: Signal[] = [];
  readonly problems: string[] = [];
  private readonly pages = new Map<string, Page>();
  private readonly queues = new Map<string, Promise<void>>();
  private held: Signal[] | undefined;
  private readonly losing: Array<(signal: Signal) => boolean> = [];

  add(userId: string, page: Page): void {
    this.pages.set(userId, page);
  }

  send(from: string, to: string, payload: unknown): void {
    const parsed = VoiceSignalPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      this.problems.push(`${NAMES[from]} sent a payload the gateway would refuse: ${parsed.error.message}`);
      return;
    }
    const signal = { from, to, payload: parsed.data };
    this.sent.push(signal);
    const lose = this.losing.findIndex((matches) => matches(signal));
    if (lose >= 0) {
      this.losing.splice(lose, 1);
      return;
    }
    if (this.held) this.held.push(signal);
    else this.deliver(signal);
  }

  hold(): void {
    this.held = [];
  }

  /** Delivers what was held, in order; resolves when it has all been handed to the pages. */
  release(): Promise<void> {
    const held = this.held ?? [];
    this.held = undefined;
    for (const signal of held) this.deliver(signal);
    return this.delivered();
  }

  /** The signals held back so far. */
  pending(): readonly Signal[] {
    return this.held ?? [];
  }

  /** Loses the next signal that matches (the gateway never loses one; a peer can ignore one). */
  loseNext(matches: (signal: Signal) => boolean): void {
    this.losing.push(matches);
  }

  delivered(): Promise<void> {
    return Promise.all(this.queues.values()).then(() => undefined);
  }

  offers(from: string, to: string): number {
    return this.sent.filter(
      (s) =>
        s.from === from &&
        s.to === to &&
        'description' in s.payload &&
        s.payload.description.type === 'offer',
    ).length;
  }

  private deliver(signal: Signal): void {
    const page = this.pages.get(signal.to);
    if (!page) return;
    const previous = this.queues.get(signal.to) ?? Promise.resolve();
    const next = previous
      .then(() =>
        page.evaluate(([from, payload]) => window.voice.receive(from, payload), [
          signal.from,
          signal.payload,
        ] as const),
      )
      .catch((err: unknown) => {
        if (!page.isClosed()) this.problems.push(`delivery to ${NAMES[signal.to]} failed: ${String(err)}`);
      });
    this.queues.set(signal.to, next);
  }
}

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [new URL('./support/voice-page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text;
  if (!js) throw new Error('esbuild made no bundle');
  return js;
}

const HTML = `<!doctype html><html><head><meta charset="utf-8"><title>voice</title></head>
<body><button id="join" type="button">Join voice</button><script type="module" src="/voice.js"></script></body></html>`;

interface Voice extends Person {
  id: string;
}

describe('voice engine in Chromium', () => {
  let browser: Browser;
  let script: string;
  const relay = new Relay();
  const voices: Record<string, Voice> = {};
  let alice: Voice;
  let bob: Voice;
  let carol: Voice;

  async function open(id: string): Promise<Voice> {
    const context = await browser.newContext();
    await context.grantPermissions(['microphone'], { origin: ORIGIN });
    await context.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/voice.js') return route.fulfill({ contentType: 'text/javascript', body: script });
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: HTML });
      return route.fulfill({ status: 404, body: '' });
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.setDefaultTimeout(15_000);
    await page.exposeFunction('voiceSend', (to: string, payload: unknown) => relay.send(id, to, payload));
    await page.goto(`${ORIGIN}/`);
    await page.evaluate((selfId) => window.voice.create(selfId), id);
    relay.add(id, page);
    const voice = { id, context, page, problems };
    voices[id] = voice;
    return voice;
  }

  /** Joins the way a person does: a click (a user gesture, so audio may play) starts the engine. */
  async function join(voice: Voice): Promise<void> {
    await voice.page.click('#join');
    await voice.page.waitForFunction(() => window.voice.snapshot().status === 'live');
  }

  const snapshot = (v: Voice) => v.page.evaluate(() => window.voice.snapshot());
  const setPeers = (v: Voice, ...peers: Voice[]) =>
    v.page.evaluate(
      (ids) => window.voice.setPeers(ids),
      peers.map((p) => p.id),
    );
  const connection = (v: Voice, peer: Voice) => v.page.evaluate((id) => window.voice.connection(id), peer.id);

  async function received(listener: Voice, speaker: Voice): Promise<Received> {
    const r = (await connection(listener, speaker))?.received;
    return r ?? { bytesReceived: 0, packetsReceived: 0, totalAudioEnergy: 0, totalSamplesDuration: 0 };
  }

  /** The RMS level of what arrived between two reads. */
  const rms = (from: Received, to: Received) =>
    Math.sqrt(
      Math.max(0, to.totalAudioEnergy - from.totalAudioEnergy) /
        Math.max(1e-9, to.totalSamplesDuration - from.totalSamplesDuration),
    );

  /** Connected, with audio RTP still arriving and something to hear in it (the beeps). */
  async function hears(listener: Voice, speaker: Voice): Promise<void> {
    const what = `${NAMES[listener.id]} hears ${NAMES[speaker.id]}`;
    await expect
      .poll(async () => (await snapshot(listener)).peers[speaker.id]?.state, {
        timeout: 30_000,
        message: what,
      })
      .toBe('connected');
    const first = await received(listener, speaker);
    await expect
      .poll(
        async () => {
          const now = await received(listener, speaker);
          return now.bytesReceived > first.bytesReceived && rms(first, now) > HEARD_RMS;
        },
        { timeout: 30_000, message: what },
      )
      .toBe(true);
  }

  /** Polls until the listener has received a whole window of silence from the speaker. */
  async function hearsSilence(listener: Voice, speaker: Voice): Promise<void> {
    let start = await received(listener, speaker);
    await expect
      .poll(
        async () => {
          const now = await received(listener, speaker);
          if (now.totalSamplesDuration - start.totalSamplesDuration < SILENCE_WINDOW_S) return false;
          const quiet = rms(start, now) < SILENT_RMS && now.bytesReceived > start.bytesReceived;
          start = now;
          return quiet;
        },
        { timeout: 30_000, message: `${NAMES[listener.id]} hears silence from ${NAMES[speaker.id]}` },
      )
      .toBe(true);
  }

  beforeAll(async () => {
    [browser, script] = await Promise.all([launchBrowser(FAKE_MEDIA), bundlePage()]);
    [alice, bob, carol] = await Promise.all([open(ALICE), open(BOB), open(CAROL)]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  story(() => ({ alice, bob, carol }));

  afterEach(async () => {
    expect(relay.problems, 'signalling problems').toEqual([]);
    for (const voice of Object.values(voices)) {
      if (voice.page.isClosed()) continue;
      const errors = await voice.page.evaluate(() => window.voice.errors());
      expect(errors, `${NAMES[voice.id]}'s engine reported errors`).toEqual([]);
    }
  });

  it('joins: the microphone opens and the engine goes live', async () => {
    await Promise.all([join(alice), join(bob)]);
    expect(await alice.page.evaluate(() => window.voice.microphoneTracks())).toEqual(['live']);
    expect(await snapshot(alice)).toEqual({
      status: 'live',
      muted: false,
      deafened: false,
      selfSpeaking: expect.any(Boolean),
      peers: {},
    });
  });

  it('lists the microphone and shows its level in a settings meter', async () => {
    expect(await alice.page.evaluate(() => window.voice.audioInputs())).toBeGreaterThan(0);
    expect(await alice.page.evaluate(() => window.voice.meterPeak(5_000))).toBeGreaterThan(0.3);
  });

  it('connects two people, and each one hears the other', async () => {
    await Promise.all([setPeers(alice, bob), setPeers(bob, alice)]);
    await Promise.all([hears(alice, bob), hears(bob, alice)]);
  });

  it('asks each encoder for Opus with in-band FEC, mono and a bitrate cap', async () => {
    for (const [listener, speaker] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const fmtp = (await connection(listener, speaker))?.remoteOpusFmtp ?? [];
      expect(fmtp.length).toBeGreaterThan(0);
      for (const line of fmtp) {
        expect(line).toMatch(/useinbandfec=1/);
        expect(line).toMatch(/stereo=0/);
        expect(line).toMatch(/maxaveragebitrate=32000/);
      }
    }
  });

  it('shows who is speaking, for oneself and for the others', async () => {
    await expect
      .poll(async () => (await snapshot(bob)).peers[ALICE]?.speaking, { timeout: 10_000 })
      .toBe(true);
    await expect.poll(async () => (await snapshot(alice)).selfSpeaking, { timeout: 10_000 }).toBe(true);
  });

  it('mutes: the other side receives silence and the speaking indicators go out', async () => {
    await alice.page.evaluate(() => window.voice.setMuted(true));
    expect((await snapshot(alice)).muted).toBe(true);
    await hearsSilence(bob, alice);
    await expect
      .poll(async () => (await snapshot(bob)).peers[ALICE]?.speaking, { timeout: 5_000 })
      .toBe(false);
    expect((await snapshot(alice)).selfSpeaking).toBe(false);
    await alice.page.evaluate(() => window.voice.setMuted(false));
    await hears(bob, alice);
  });

  it('deafens: every peer is silenced here and this side is muted, until undeafened', async () => {
    await bob.page.evaluate(() => window.voice.setDeafened(true));
    expect(await snapshot(bob)).toMatchObject({ muted: true, deafened: true });
    const elements = await bob.page.evaluate(() => window.voice.audioElements());
    expect(elements).toEqual([{ muted: true, paused: false, hasStream: true }]);
    await hearsSilence(alice, bob);
    await bob.page.evaluate(() => window.voice.setDeafened(false));
    expect(await snapshot(bob)).toMatchObject({ muted: false, deafened: false });
    expect(await bob.page.evaluate(() => window.voice.audioElements())).toEqual([
      { muted: false, paused: false, hasStream: true },
    ]);
    await hears(alice, bob);
  });

  it('restarts ICE (new credentials on both ends) and the audio keeps flowing', async () => {
    const before = await connection(alice, bob);
    await alice.page.evaluate(() => window.voice.restartIce());
    await expect
      .poll(async () => {
        const [a, b] = [await connection(alice, bob), await connection(bob, alice)];
        return (
          a?.localUfrag !== before?.localUfrag &&
          b?.remoteUfrag === a?.localUfrag &&
          a?.signalingState === 'stable' &&
          b?.signalingState === 'stable'
        );
      })
      .toBe(true);
    expect(await alice.page.evaluate((id) => window.voice.connectionCount(id), BOB)).toBe(1);
    await Promise.all([hears(alice, bob), hears(bob, alice)]);
  });

  it('connects three people as a mesh, each hearing both others', async () => {
    await join(carol);
    await Promise.all([
      setPeers(alice, bob, carol),
      setPeers(bob, alice, carol),
      setPeers(carol, alice, bob),
    ]);
    const pairs: [Voice, Voice][] = [
      [alice, bob],
      [alice, carol],
      [bob, alice],
      [bob, carol],
      [carol, alice],
      [carol, bob],
    ];
    await Promise.all(pairs.map(([listener, speaker]) => hears(listener, speaker)));
  });

  it('closes a connection at once when its peer is removed', async () => {
    await setPeers(bob, alice);
    expect((await connection(bob, carol))?.signalingState).toBe('closed');
    expect(Object.keys((await snapshot(bob)).peers)).toEqual([ALICE]);
    await setPeers(carol, alice);
    expect((await connection(carol, bob))?.signalingState).toBe('closed');
    await Promise.all([hears(alice, bob), hears(alice, carol)]);
  });

  it('connects when both ends offer at the same moment (glare)', async () => {
    relay.hold();
    await Promise.all([setPeers(bob, alice, carol), setPeers(carol, alice, bob)]);
    // Both offers are made before either one arrives.
    await expect
      .poll(() =>
        ['200>300', '300>200'].every((pair) =>
          relay
            .pending()
            .some(
              (s) =>
                `${s.from}>${s.to}` === pair &&
                'description' in s.payload &&
                s.payload.description.type === 'offer',
            ),
        ),
      )
      .toBe(true);
    await relay.release();
    await Promise.all([hears(bob, carol), hears(carol, bob)]);
  });

  it('connects when one end offered before the other knew it (that offer was ignored)', async () => {
    await Promise.all([setPeers(bob, alice), setPeers(carol, alice)]);
    // Carol (the impolite end) offers first; Bob does not want her yet and ignores it.
    const offersBefore = relay.offers(CAROL, BOB);
    const bobsConnections = await bob.page.evaluate((id) => window.voice.connectionCount(id), CAROL);
    await setPeers(carol, alice, bob);
    await expect.poll(() => relay.offers(CAROL, BOB)).toBeGreaterThan(offersBefore);
    await relay.delivered();
    expect(await bob.page.evaluate((id) => window.voice.connectionCount(id), CAROL)).toBe(bobsConnections);
    // Now Bob adds her: his offer collides with her unanswered one, and she offers again.
    await setPeers(bob, alice, carol);
    await Promise.all([hears(bob, carol), hears(carol, bob)]);
  });

  it('connects when the answer to an offer was lost: the same offer goes again', async () => {
    await Promise.all([setPeers(bob, alice), setPeers(carol, alice)]);
    const pair = [BOB, CAROL];
    relay.loseNext(
      (s) =>
        pair.includes(s.from) &&
        pair.includes(s.to) &&
        'description' in s.payload &&
        s.payload.description.type === 'answer',
    );
    await Promise.all([setPeers(bob, alice, carol), setPeers(carol, alice, bob)]);
    // The offerer waits 5 s for an answer, then sends its offer again; the other side applied the
    // first copy, so a fresh offer (other m-line order) would be refused for good.
    await Promise.all([hears(bob, carol), hears(carol, bob)]);
  });

  it('stops: every connection closes and the microphone is released', async () => {
    await alice.page.evaluate(() => window.voice.stop());
    // The engine's microphone, and the settings meter's from earlier.
    expect(await alice.page.evaluate(() => window.voice.microphoneTracks())).toEqual(['ended', 'ended']);
    expect((await connection(alice, bob))?.signalingState).toBe('closed');
    expect((await connection(alice, carol))?.signalingState).toBe('closed');
    expect(await snapshot(alice)).toMatchObject({ status: 'stopped', peers: {} });
    expect(await alice.page.evaluate(() => window.voice.audioElements())).toEqual([
      { muted: false, paused: true, hasStream: false },
      { muted: false, paused: true, hasStream: false },
    ]);
  });

  it('says why when the microphone is refused', async () => {
    await alice.page.evaluate((id) => window.voice.create(id, { refuseMicrophone: true }), ALICE);
    await alice.page.evaluate(() => window.voice.start());
    expect(await snapshot(alice)).toEqual({
      status: 'stopped',
      error: 'microphone_refused',
      muted: false,
      deafened: false,
      selfSpeaking: false,
      peers: {},
    });
  });
});
