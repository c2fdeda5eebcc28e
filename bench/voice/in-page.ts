/**
 * What the voice bench runs inside the pages: the first-audio watcher (getStats every few ms),
 * the bare baselines (two RTCPeerConnections in one page; a page holding a mesh of bare
 * connections to other browsers), and a dump of every connection's state for the mesh bench.
 *
 * The functions given to `page.evaluate` are compiled by tsx, whose esbuild keeps function names
 * with a `__name` helper that pages do not have: every context gets `NAME_SHIM` first.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** esbuild's keepNames helper, as a no-op, for the code that tsx compiles and playwright sends. */
export async function addNameShim(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
}

/** Where a bare page is served from (by `page.route`, never over the network): a secure context. */
export const BARE_URL = 'http://bare.localhost/';
const BARE_HTML = '<!doctype html><title>bare WebRTC</title><button id="go">go</button>';

/** A page with nothing in it but a button (clicked, so that audio may play), at BARE_URL. */
export async function openBarePage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.route(`${BARE_URL}**`, (route) => route.fulfill({ contentType: 'text/html', body: BARE_HTML }));
  await page.goto(BARE_URL);
  await page.click('#go');
  return page;
}

/** The engine's microphone constraints (packages/client/src/voice/media.ts) and connection config. */
const MIC: MediaStreamConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
  video: false,
};
const PC_CONFIG: RTCConfiguration = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

export interface FirstAudio {
  /** Per watched connection (in the order given), when a getStats first showed an inbound audio packet. */
  firstAt: (number | null)[];
  /** When a poll first saw each connection (made by the app since the last poll). */
  seenAt: (number | null)[];
  startedAt: number;
  /** When the last poll ended, and how many there were: their mean spacing is the resolution. */
  lastPollAt: number;
  polls: number;
  /** The first click in the page after the watch started (the callee's "Accept call"). */
  clickAt: number | null;
  stop: boolean;
}

declare global {
  interface Window {
    benchWatchFirstAudio?: (connections: () => RTCPeerConnection[], intervalMs: number) => FirstAudio;
    benchFirstAudio?: FirstAudio;
    benchMesh?: { stream: MediaStream; pcs: Map<string, RTCPeerConnection> };
  }
}

/**
 * Installs `window.benchWatchFirstAudio`: polls the connections' getStats every `intervalMs` and
 * notes, on `performance.timeOrigin + performance.now()` (the same clock in every page), when each
 * first shows an inbound audio packet (the end of that poll: the figure is late by up to one poll).
 * It stops when every connection has one, when told, or after 30 s.
 */
export function installFirstAudioWatch(page: Page): Promise<void> {
  return page.evaluate(() => {
    window.benchWatchFirstAudio = (connections, intervalMs) => {
      const now = () => performance.timeOrigin + performance.now();
      const state: FirstAudio = {
        firstAt: [],
        seenAt: [],
        startedAt: now(),
        lastPollAt: now(),
        polls: 0,
        clickAt: null,
        stop: false,
      };
      window.addEventListener(
        'click',
        () => {
          state.clickAt ??= now();
        },
        { capture: true, once: true },
      );
      void (async () => {
        while (!state.stop && now() - state.startedAt < 30_000) {
          const list = connections();
          await Promise.all(
            list.map(async (pc, i) => {
              state.seenAt[i] ??= now();
              if (state.firstAt[i] || pc.connectionState === 'closed') return;
              const report = await pc.getStats();
              let got = false;
              report.forEach((s: Record<string, unknown>) => {
                if (s.type === 'inbound-rtp' && s.kind === 'audio' && Number(s.packetsReceived ?? 0) > 0)
                  got = true;
              });
              if (got) state.firstAt[i] = now();
            }),
          );
          state.polls += 1;
          state.lastPollAt = now();
          if (list.length > 0 && list.every((_, i) => state.firstAt[i])) break;
          await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
      })();
      return state;
    };
  });
}

/**
 * In an app page (its RTCPeerConnection constructor wrapped by watchPeerConnections): watches the
 * connections made from now on, and the next click.
 */
export function watchAppFirstAudio(page: Page, intervalMs: number): Promise<void> {
  return page.evaluate((ms) => {
    const made: RTCPeerConnection[] = Reflect.get(window, '__peerConnections') ?? [];
    const from = made.length;
    const watch = window.benchWatchFirstAudio;
    if (!watch) throw new Error('installFirstAudioWatch first');
    window.benchFirstAudio = watch(() => made.slice(from), ms);
  }, intervalMs);
}

export interface FirstAudioRead {
  firstAt: number | null;
  seenAt: number | null;
  clickAt: number | null;
  meanPollMs: number;
}

/** Waits (up to `timeoutMs`) for the app page's first inbound audio packet and stops watching. */
export async function readAppFirstAudio(page: Page, timeoutMs: number): Promise<FirstAudioRead> {
  await page
    .waitForFunction(() => Boolean(window.benchFirstAudio?.firstAt[0]), undefined, {
      timeout: timeoutMs,
      polling: 50,
    })
    .catch(() => undefined);
  return page.evaluate(() => {
    const s = window.benchFirstAudio;
    if (!s) throw new Error('not watching');
    s.stop = true;
    return {
      firstAt: s.firstAt[0] ?? null,
      seenAt: s.seenAt[0] ?? null,
      clickAt: s.clickAt,
      meanPollMs: (s.lastPollAt - s.startedAt) / Math.max(1, s.polls),
    };
  });
}

export interface BarePairTimes {
  /** Opening the two microphones (getUserMedia twice, one per end, as two people do). */
  micMs: number;
  /** From createOffer to the first inbound audio packet at the offering and at the answering end. */
  offererMs: number | null;
  answererMs: number | null;
  meanPollMs: number;
}

/**
 * The baseline call: two bare RTCPeerConnections in this page, each sending its own fake
 * microphone (opened fresh, with the engine's constraints), signalled in the page (offer, answer
 * and trickled candidates handed straight over), the engine's connection config (no ICE servers:
 * host candidates only). Watched with the same poller as the app, then closed.
 */
export function barePair(page: Page, intervalMs: number): Promise<BarePairTimes> {
  return page.evaluate(
    async ({ ms, mic, config }) => {
      const now = () => performance.timeOrigin + performance.now();
      const watch = window.benchWatchFirstAudio;
      if (!watch) throw new Error('installFirstAudioWatch first');
      const t0 = now();
      const sa = await navigator.mediaDevices.getUserMedia(mic);
      const sb = await navigator.mediaDevices.getUserMedia(mic);
      const micMs = now() - t0;
      const a = new RTCPeerConnection(config);
      const b = new RTCPeerConnection(config);
      const pending = new Map<RTCPeerConnection, RTCIceCandidate[]>([
        [a, []],
        [b, []],
      ]);
      const relay = (to: RTCPeerConnection) => (event: RTCPeerConnectionIceEvent) => {
        if (!event.candidate) return;
        if (to.remoteDescription) void to.addIceCandidate(event.candidate);
        else pending.get(to)?.push(event.candidate);
      };
      const flush = async (pc: RTCPeerConnection) => {
        for (const c of pending.get(pc) ?? []) await pc.addIceCandidate(c);
        pending.set(pc, []);
      };
      a.addEventListener('icecandidate', relay(b));
      b.addEventListener('icecandidate', relay(a));
      const [ta] = sa.getAudioTracks();
      const [tb] = sb.getAudioTracks();
      if (!ta || !tb) throw new Error('no microphone track');
      const state = watch(() => [a, b], ms);
      const tOffer = now();
      a.addTrack(ta, sa);
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
      await flush(b);
      b.addTrack(tb, sb);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
      await flush(a);
      while (!(state.firstAt[0] && state.firstAt[1]) && now() - tOffer < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      state.stop = true;
      const [fa, fb] = state.firstAt;
      a.close();
      b.close();
      for (const t of [...sa.getTracks(), ...sb.getTracks()]) t.stop();
      return {
        micMs,
        offererMs: fa ? fa - tOffer : null,
        answererMs: fb ? fb - tOffer : null,
        meanPollMs: (state.lastPollAt - state.startedAt) / Math.max(1, state.polls),
      };
    },
    { ms: intervalMs, mic: MIC, config: PC_CONFIG },
  );
}

/** A bare mesh page: opens its microphone once (every connection sends the same track). */
export function meshInit(page: Page): Promise<void> {
  return page.evaluate(async (mic) => {
    const stream = await navigator.mediaDevices.getUserMedia(mic);
    window.benchMesh = { stream, pcs: new Map() };
  }, MIC);
}

/**
 * One side of a bare mesh connection to `peer`: `offer` makes the connection and returns its offer,
 * `answer` takes one and returns the answer, `accept` applies the answer. Not trickled: each
 * description is sent once its host candidates are gathered (a few ms, on loopback). Every remote
 * stream plays in an audio element, as the engine's do.
 */
export function meshStep(
  page: Page,
  step: 'offer' | 'answer' | 'accept',
  peer: string,
  sdp = '',
): Promise<string> {
  return page.evaluate(
    async ({ step, peer, sdp, config }) => {
      const mesh = window.benchMesh;
      if (!mesh) throw new Error('meshInit first');
      // The list e2e's watchPeerConnections keeps, read by `receiving`; made here in a bare page.
      const made: RTCPeerConnection[] = Reflect.get(window, '__peerConnections') ?? [];
      if (!Reflect.has(window, '__peerConnections'))
        Object.defineProperty(window, '__peerConnections', { value: made });
      const gathered = (pc: RTCPeerConnection) =>
        new Promise<void>((resolve) => {
          if (pc.iceGatheringState === 'complete') resolve();
          pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve();
          });
        });
      if (step === 'accept') {
        await mesh.pcs.get(peer)?.setRemoteDescription({ type: 'answer', sdp });
        return '';
      }
      const pc = new RTCPeerConnection(config);
      if (!made.includes(pc)) made.push(pc);
      mesh.pcs.set(peer, pc);
      pc.addEventListener('track', (event) => {
        const audio = new Audio();
        audio.autoplay = true;
        audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
        void audio.play();
      });
      const [track] = mesh.stream.getAudioTracks();
      if (!track) throw new Error('no microphone track');
      if (step === 'answer') await pc.setRemoteDescription({ type: 'offer', sdp });
      pc.addTrack(track, mesh.stream);
      await pc.setLocalDescription();
      await gathered(pc);
      return pc.localDescription?.sdp ?? '';
    },
    { step, peer, sdp, config: PC_CONFIG },
  );
}

export interface ConnectionDump {
  connectionState: string;
  iceConnectionState: string;
  signalingState: string;
  /** The stream ids (`a=msid:`) of this side's descriptions and of the peer's: who sends what. */
  localStreams: string[];
  remoteStreams: string[];
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  totalAudioEnergy: number;
}

/** Every connection the page made (watchPeerConnections' list), with what it has received. */
export function dumpConnections(page: Page): Promise<ConnectionDump[]> {
  return page.evaluate(async () => {
    const made: RTCPeerConnection[] = Reflect.get(window, '__peerConnections') ?? [];
    return Promise.all(
      made.map(async (pc) => {
        const out = {
          connectionState: String(pc.connectionState),
          iceConnectionState: String(pc.iceConnectionState),
          signalingState: String(pc.signalingState),
          localStreams: [pc.currentLocalDescription, pc.pendingLocalDescription].flatMap((d) =>
            [...(d?.sdp ?? '').matchAll(/^a=msid:(\S+)/gm)].map((m) => m[1] ?? ''),
          ),
          remoteStreams: [pc.currentRemoteDescription, pc.pendingRemoteDescription].flatMap((d) =>
            [...(d?.sdp ?? '').matchAll(/^a=msid:(\S+)/gm)].map((m) => m[1] ?? ''),
          ),
          packetsReceived: 0,
          packetsLost: 0,
          bytesReceived: 0,
          totalAudioEnergy: 0,
        };
        if (pc.connectionState === 'closed') return out;
        (await pc.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
          out.packetsReceived += Number(s.packetsReceived ?? 0);
          out.packetsLost += Number(s.packetsLost ?? 0);
          out.bytesReceived += Number(s.bytesReceived ?? 0);
          out.totalAudioEnergy += Number(s.totalAudioEnergy ?? 0);
        });
        return out;
      }),
    );
  });
}

/**
 * Counts what the page sends on its WebSockets (the gateway's), frame by frame with its op, and
 * how each socket closed: the gateway allows a socket 120 inbound frames a minute and closes it
 * with 4008 past that. Plain JS (no tsx output) as it runs before the page's own scripts.
 */
export async function watchGatewayFrames(page: Page): Promise<void> {
  await page.addInitScript({
    content: `(() => {
  const sockets = [];
  Object.defineProperty(window, '__benchGateway', { value: sockets });
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    let s = this.__benchGateway;
    if (!s) {
      s = { frames: [], closeCode: null, closedAt: null };
      Object.defineProperty(this, '__benchGateway', { value: s });
      sockets.push(s);
      this.addEventListener('close', (e) => { s.closeCode = e.code; s.closedAt = Date.now(); });
    }
    let op = '?';
    try { op = String(JSON.parse(String(data)).op); } catch {}
    s.frames.push([Date.now(), op]);
    return send.call(this, data);
  };
})();`,
  });
}

export interface GatewayFrames {
  sockets: number;
  /** Sockets closed with 4008 (too many frames). */
  closed4008: number;
  /** The most frames one socket sent within any 60 s, and how many of all were voice signals. */
  maxPerMinute: number;
  frames: number;
  voiceSignals: number;
}

export function gatewayFrames(page: Page): Promise<GatewayFrames> {
  return page.evaluate(() => {
    const sockets: { frames: [number, string][]; closeCode: number | null }[] =
      Reflect.get(window, '__benchGateway') ?? [];
    let maxPerMinute = 0;
    for (const s of sockets) {
      let from = 0;
      for (let i = 0; i < s.frames.length; i++) {
        const at = s.frames[i]?.[0] ?? 0;
        while ((s.frames[from]?.[0] ?? 0) <= at - 60_000) from++;
        maxPerMinute = Math.max(maxPerMinute, i - from + 1);
      }
    }
    const all = sockets.flatMap((s) => s.frames);
    return {
      sockets: sockets.length,
      closed4008: sockets.filter((s) => s.closeCode === 4008).length,
      maxPerMinute,
      frames: all.length,
      voiceSignals: all.filter(([, op]) => op === 'voice_signal').length,
    };
  });
}
