/**
 * `npm run bench:voice`: voice in the real web app, in Debian's Chromium with fake microphones
 * (FAKE_MEDIA), against a Decentra started in this process (startTestServer, embedded PGlite: the
 * server only relays signalling, the audio goes peer to peer over loopback).
 *
 * 1. First audio of a friend call: the callee clicks "Accept call"; the time until the caller's,
 *    and the callee's, page has an inbound audio packet (getStats polled every POLL_MS in both
 *    pages from before the click, one clock: performance.timeOrigin + performance.now()). CALLS
 *    calls, hung up in between. Baseline: two bare RTCPeerConnections in one plain page in the same
 *    browser, signalled in the page, the engine's microphone constraints and connection config (no
 *    ICE servers: host candidates only), from createOffer to the first inbound packet; one after
 *    every call.
 * 2. CPU of one browser (its whole process tree, from /proc) in a 3- and a 6-person voice channel,
 *    one Chromium per participant (launchServer, for the pid), over CPU_WINDOW_MS once everyone
 *    receives sound from everyone. Baselines in the same browser: the app logged in but not in
 *    voice, and a bare page holding the same mesh of bare connections (the app closed).
 * 3. How many participants the mesh holds: one browser, one context per participant, joining one
 *    at a time from N = 2; N holds when, within HOLD_WINDOW_MS of the last join, every participant
 *    passes e2e's `receiving` check (every connection's bytes and sound energy grow over 600 ms).
 *    Up to the channel cap (10), and on past it (the cap raised for this server) while it holds;
 *    the first N that does not hold is described (who does not hear whom, connection states,
 *    packets).
 *
 * Chromium runs with Chrome's desktop autoplay policy (see AUTOPLAY); `--e2e-autoplay` the stricter
 * `user-gesture-required` instead. `--quick`: 3 calls, 5 s CPU windows, N up to 6. `--only=first-audio,cpu,mesh`:
 * some parts. Not run in CI (needs Chromium, takes minutes).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { type Browser, type BrowserServer, chromium, type Page } from 'playwright-core';
import { DEFAULT_VOICE_CONFIG } from '../apps/server/src/config.js';
import { befriend, people, restClient, serverWith, type Person as User } from '../apps/server/test/people.js';
import { createTestDatabase } from '../apps/server/test/test-db.js';
import { startTestServer } from '../apps/server/test/test-server.js';
import { loggedIn } from '../e2e/support/accounts.js';
import { BROWSER_ARGS, CHROMIUM, FAKE_MEDIA, type Person } from '../e2e/support/browser.js';
import { openConnections, receiving, watchPeerConnections } from '../e2e/support/peer-connections.js';
import { REPO_DIR, sleep, withTimeout } from './lib/rpc.js';
import {
  addNameShim,
  type BarePairTimes,
  barePair,
  type ConnectionDump,
  dumpConnections,
  gatewayFrames,
  installFirstAudioWatch,
  meshInit,
  meshStep,
  openBarePage,
  readAppFirstAudio,
  watchAppFirstAudio,
  watchGatewayFrames,
} from './voice/in-page.js';
import { type CpuWindow, cpuWindow } from './voice/proc.js';

const quick = process.argv.includes('--quick');
/** `--only=first-audio,cpu,mesh`: some of the three (all by default). */
const parts = (
  process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? 'first-audio,cpu,mesh'
).split(',');
const CALLS = quick ? 3 : 7;
const POLL_MS = 5;
/**
 * Chrome's desktop default autoplay policy (sticky activation: one click on the page lets audio
 * play), as BROWSER_ARGS now has too; `--e2e-autoplay` swaps in `user-gesture-required`, under
 * which the app leaves silent the audio of anyone who joins more than a few seconds after your
 * last click (the engine's play() is refused and never retried; see bench/RESULTS.md), which
 * stops the mesh at N = 2 or 3 for a reason that is not the mesh. `--e2e-autoplay` brings it back.
 */
const AUTOPLAY = process.argv.includes('--e2e-autoplay')
  ? ['--autoplay-policy=user-gesture-required']
  : ['--autoplay-policy=document-user-activation-required'];
const CPU_WINDOW_MS = quick ? 5_000 : 10_000;
const CPU_SIZES = [3, 6] as const;
const CHANNEL_CAP = DEFAULT_VOICE_CONFIG.channelLimit;
/** Past the cap only while every N up to it held. */
const MESH_MAX = quick ? 6 : 16;
const HOLD_WINDOW_MS = 20_000;
/** A steady window after each N held: the browser's and the machine's CPU with N in the mesh. */
const MESH_CPU_MS = 3_000;
const BUDGET_MS = (quick ? 7 : 12) * 60_000;
/** No new N is tried after this (the run must end within the budget). */
const MESH_STOP_MS = (quick ? 5 : 10) * 60_000;

const started = performance.now();
const elapsed = () => performance.now() - started;
const budget = setTimeout(() => {
  console.error(`voice: over its ${BUDGET_MS / 60_000} min budget; stopping`);
  process.exit(2);
}, BUDGET_MS);
budget.unref();

const fmt = (n: number | null | undefined, d = 0) =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[m] as number)
      : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : Number.NaN);
const present = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
const list = (xs: (number | null)[]) => xs.map((x) => fmt(x)).join(' ');
const log = (line: string) => console.log(`voice ${line}`);

// ---------------------------------------------------------------------------------------------
// Browsers and people

interface Tracked {
  server: BrowserServer;
  browser: Browser;
  /** The Chromium main process: the root of the tree whose CPU is measured. */
  pid: number;
}

/** Chromium as launchBrowser starts it, through launchServer: the only launch that tells its pid. */
async function launchTracked(): Promise<Tracked> {
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BROWSER_ARGS, ...FAKE_MEDIA, ...AUTOPLAY],
  });
  const pid = server.process().pid;
  if (pid === undefined) throw new Error('launchServer gave no pid');
  const browser = await chromium.connect(server.wsEndpoint());
  return { server, browser, pid };
}

async function closeTracked(t: Tracked): Promise<void> {
  await t.browser.close().catch(() => undefined);
  await t.server.close().catch(() => undefined);
}

/** What the engine reported (console.warn `[voice] …`) in each app page. */
const voiceWarnings = new WeakMap<Page, string[]>();

/** The warnings of these pages, ids blanked, by message, most frequent first. */
function warningSummary(pages: Page[]): string {
  const counts = new Map<string, number>();
  for (const page of pages) {
    for (const w of voiceWarnings.get(page) ?? []) {
      const key = w.replace(/\d{6,}/g, '<id>').slice(0, 400);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  if (counts.size === 0) return 'none';
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${v}× "${k}"`)
    .join('; ');
}

/** A context logged in as `user`, its RTCPeerConnections watched (as in the e2e tests). */
async function participant(browser: Browser, base: string, user: User): Promise<Person> {
  const p = await loggedIn(browser, base, user.token);
  const warnings: string[] = [];
  voiceWarnings.set(p.page, warnings);
  p.page.on('console', (msg) => {
    if (msg.text().startsWith('[voice]')) warnings.push(msg.text());
  });
  await addNameShim(p.context);
  await watchPeerConnections(p.page);
  await watchGatewayFrames(p.page);
  return p;
}

/** Opens the server's page and joins its voice channel by clicking it, as the e2e tests do. */
async function joinVoice(page: Page, serverPath: string): Promise<void> {
  if (!page.url().includes(serverPath)) await page.goto(serverPath);
  await page.getByRole('list', { name: 'Voice channels' }).getByRole('link', { name: 'General' }).click();
  await page.getByRole('region', { name: 'Voice connection' }).waitFor();
}

/** Polls e2e's `receiving` on every page until each has passed once, or `ms` is over. */
async function untilAllReceive(pages: Page[], expected: number, ms: number): Promise<Set<number>> {
  const passed = new Set<number>();
  const until = performance.now() + ms;
  while (passed.size < pages.length && performance.now() < until) {
    await Promise.all(
      pages.map(async (page, i) => {
        if (passed.has(i)) return;
        // A page starved of CPU may not answer at all: that is a failed check, not a hang.
        if (await withTimeout(receiving(page, expected), 5_000, 'receiving').catch(() => false))
          passed.add(i);
      }),
    );
  }
  return passed;
}

async function measure(pid: number, ms: number): Promise<CpuWindow> {
  const end = cpuWindow(pid);
  await sleep(ms);
  return end();
}

const cpuLine = (w: CpuWindow) => {
  const kinds = w.byKind.filter(([, v]) => v >= 0.5).map(([k, v]) => `${k} ${fmt(v, 1)}`);
  return `${fmt(w.percent, 1)} % of one core${kinds.length ? ` (${kinds.join(', ')})` : ''}; machine ${fmt(w.machinePercent)} % busy of ${availableParallelism()} cores, node ${fmt(w.nodePercent)} %`;
};

// ---------------------------------------------------------------------------------------------
// 1. First audio of a call

interface FirstAudioResult {
  caller: number[];
  callee: number[];
  bothWays: number[];
  bare: BarePairTimes[];
}

async function firstAudio(base: string, caller: User, callee: User): Promise<FirstAudioResult> {
  const dm = await restClient(base, caller.token).openDm({ userId: callee.id });
  const t = await launchTracked();
  try {
    const a = await participant(t.browser, base, caller);
    const b = await participant(t.browser, base, callee);
    await a.page.goto(`/channels/@me/${dm.id}`);
    await b.page.goto('/channels/@me');
    const bareContext = await t.browser.newContext();
    await addNameShim(bareContext);
    const bare = await openBarePage(bareContext);
    await Promise.all([a.page, b.page, bare].map(installFirstAudioWatch));
    const callBar = (p: Page) => p.getByRole('region', { name: 'Call', exact: true });
    const out: FirstAudioResult = { caller: [], callee: [], bothWays: [], bare: [] };
    const callerMs: (number | null)[] = [];
    const calleeMs: (number | null)[] = [];
    /** Accept to the page's connection being made (the app's part before WebRTC's own). */
    const callerMade: (number | null)[] = [];
    const calleeMade: (number | null)[] = [];
    let pollMs = 0;
    for (let i = 0; i < CALLS; i++) {
      await a.page.getByRole('button', { name: `Call ${callee.username}` }).click();
      const dialog = b.page.getByRole('alertdialog', { name: `Incoming call from ${caller.username}` });
      await dialog.waitFor();
      await Promise.all([watchAppFirstAudio(a.page, POLL_MS), watchAppFirstAudio(b.page, POLL_MS)]);
      await dialog.getByRole('button', { name: 'Accept call' }).click();
      const [ra, rb] = await Promise.all([
        readAppFirstAudio(a.page, 20_000),
        readAppFirstAudio(b.page, 20_000),
      ]);
      const click = rb.clickAt;
      const ca = click !== null && ra.firstAt !== null ? ra.firstAt - click : null;
      const cb = click !== null && rb.firstAt !== null ? rb.firstAt - click : null;
      callerMs.push(ca);
      calleeMs.push(cb);
      callerMade.push(click !== null && ra.seenAt !== null ? ra.seenAt - click : null);
      calleeMade.push(click !== null && rb.seenAt !== null ? rb.seenAt - click : null);
      if (ca !== null && cb !== null) out.bothWays.push(Math.max(ca, cb));
      pollMs = Math.max(pollMs, ra.meanPollMs, rb.meanPollMs);
      await callBar(a.page).getByRole('button', { name: 'Hang up' }).click();
      await callBar(a.page).waitFor({ state: 'detached' });
      await callBar(b.page).waitFor({ state: 'detached' });
      for (const p of [a.page, b.page]) {
        while ((await openConnections(p)).length > 0) await sleep(50);
      }
      await sleep(300);
      const bp = await barePair(bare, POLL_MS);
      out.bare.push(bp);
      pollMs = Math.max(pollMs, bp.meanPollMs);
    }
    out.caller = present(callerMs);
    out.callee = present(calleeMs);
    const bareBoth = out.bare.map((r) =>
      r.offererMs !== null && r.answererMs !== null ? Math.max(r.offererMs, r.answererMs) : null,
    );
    const bareWithMic = out.bare.map((r, i) => {
      const both = bareBoth[i];
      return both === null || both === undefined ? null : r.micMs + both;
    });
    log(
      `first-audio: ${CALLS} calls in one Chromium (two contexts), getStats every ${POLL_MS} ms (mean poll spacing up to ${fmt(pollMs, 1)} ms)`,
    );
    log(
      `first-audio: app, accept -> caller's first inbound audio packet: median ${fmt(median(out.caller))} ms, max ${fmt(max(out.caller))} ms (${list(callerMs)})`,
    );
    log(
      `first-audio: app, accept -> callee's first inbound audio packet: median ${fmt(median(out.callee))} ms, max ${fmt(max(out.callee))} ms (${list(calleeMs)})`,
    );
    log(
      `first-audio: app, accept -> audio both ways: median ${fmt(median(out.bothWays))} ms, max ${fmt(max(out.bothWays))} ms`,
    );
    const made = (xs: (number | null)[], to: (number | null)[]) =>
      `accept -> connection made median ${fmt(median(present(xs)))} ms (${list(xs)}), made -> first packet median ${fmt(median(present(to.map((t, k) => (t === null || xs[k] === null || xs[k] === undefined ? null : t - (xs[k] as number))))))} ms`;
    log(`first-audio: app, where the caller's time goes: ${made(callerMade, callerMs)}`);
    log(`first-audio: app, where the callee's time goes: ${made(calleeMade, calleeMs)}`);
    const offerer = present(out.bare.map((r) => r.offererMs));
    const answerer = present(out.bare.map((r) => r.answererMs));
    log(
      `first-audio: baseline, bare pair, createOffer -> first inbound packet: offerer median ${fmt(median(offerer))} ms (${list(out.bare.map((r) => r.offererMs))}), answerer median ${fmt(median(answerer))} ms (${list(out.bare.map((r) => r.answererMs))})`,
    );
    log(
      `first-audio: baseline, both ways: median ${fmt(median(present(bareBoth)))} ms, max ${fmt(max(present(bareBoth)))} ms; opening the two microphones before it: median ${fmt(median(out.bare.map((r) => r.micMs)))} ms; with them: median ${fmt(median(present(bareWithMic)))} ms`,
    );
    const base1 = median(present(bareBoth));
    const base2 = median(present(bareWithMic));
    log(
      `first-audio: ratio_vs_baseline caller=${fmt(median(out.caller) / base1, 1)} callee=${fmt(median(out.callee) / base1, 1)} both_ways=${fmt(median(out.bothWays) / base1, 1)} (app median / bare both-ways median); against the bare pair with its microphones opened: both_ways=${fmt(median(out.bothWays) / base2, 1)}`,
    );
    return out;
  } finally {
    await closeTracked(t);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. CPU of one browser in a voice channel

interface CpuResult {
  idle: CpuWindow;
  app: Map<number, CpuWindow>;
  bare: Map<number, CpuWindow>;
}

async function connectBareMesh(pages: Page[], from: number): Promise<void> {
  for (let j = from; j < pages.length; j++) {
    for (let i = 0; i < j; i++) {
      const pi = pages[i] as Page;
      const pj = pages[j] as Page;
      const offer = await meshStep(pi, 'offer', `p${j}`);
      const answer = await meshStep(pj, 'answer', `p${i}`, offer);
      await meshStep(pi, 'accept', `p${j}`, answer);
    }
  }
}

async function cpuOfOneBrowser(base: string, users: User[], serverPath: string): Promise<CpuResult> {
  const size = Math.max(...CPU_SIZES);
  const tracked: Tracked[] = [];
  try {
    for (let i = 0; i < size; i++) tracked.push(await launchTracked());
    const measured = (tracked[0] as Tracked).pid;
    const names = users.map((u) => u.username);
    const members: Person[] = [];
    for (const [i, t] of tracked.entries()) {
      const p = await participant(t.browser, base, users[i] as User);
      await p.page.goto(serverPath);
      await p.page.getByRole('list', { name: 'Voice channels' }).waitFor();
      members.push(p);
    }
    log(
      `cpu: ${size} Chromiums (one per participant, launchServer), measuring the first one's process tree over ${CPU_WINDOW_MS / 1000} s windows`,
    );
    await sleep(2_000);
    const idle = await measure(measured, CPU_WINDOW_MS);
    log(`cpu: baseline, app logged in, not in voice: ${cpuLine(idle)}`);
    const app = new Map<number, CpuWindow>();
    let joined = 0;
    for (const n of CPU_SIZES) {
      for (; joined < n; joined++) await joinVoice((members[joined] as Person).page, serverPath);
      const pages = members.slice(0, n).map((m) => m.page);
      const ok = await untilAllReceive(pages, n - 1, 30_000);
      if (ok.size < n) {
        await describeFailure('cpu', pages, names.slice(0, n), ok, n);
        throw new Error(`only ${ok.size} of ${n} participants receive from all others`);
      }
      await sleep(1_000);
      const w = await measure(measured, CPU_WINDOW_MS);
      app.set(n, w);
      log(`cpu: app, ${n} in the voice channel: ${cpuLine(w)}`);
    }
    for (const m of members) await m.context.close();
    await sleep(2_000);
    const empty = await measure(measured, CPU_WINDOW_MS);
    log(`cpu: for reference, the same browser with no page open: ${cpuLine(empty)}`);
    const bare = new Map<number, CpuWindow>();
    const barePages: Page[] = [];
    for (const n of CPU_SIZES) {
      const from = barePages.length;
      for (let i = from; i < n; i++) {
        const context = await (tracked[i] as Tracked).browser.newContext();
        await addNameShim(context);
        const page = await openBarePage(context);
        await meshInit(page);
        barePages.push(page);
      }
      await connectBareMesh(barePages, from);
      const ok = await untilAllReceive(barePages, n - 1, 30_000);
      if (ok.size < n) {
        await describeFailure('cpu', barePages, names.slice(0, n), ok, n);
        throw new Error(`only ${ok.size} of ${n} bare pages receive from all others`);
      }
      await sleep(1_000);
      const w = await measure(measured, CPU_WINDOW_MS);
      bare.set(n, w);
      log(
        `cpu: baseline, a bare page holding ${n - 1} bare connections (${n} such pages, one per browser): ${cpuLine(w)}`,
      );
    }
    for (const n of CPU_SIZES) {
      const a = app.get(n);
      const b = bare.get(n);
      if (!a || !b) continue;
      log(
        `cpu: ${n} in voice: ratio_vs_bare=${fmt(a.percent / b.percent, 2)}; voice adds ${fmt(a.percent - idle.percent, 1)} points to the idle app, the bare mesh ${fmt(b.percent - empty.percent, 1)} to an empty browser`,
      );
    }
    return { idle, app, bare };
  } finally {
    for (const t of tracked) await closeTracked(t);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. How many the mesh holds

interface MeshResult {
  largest: number;
  firstFailure: number | null;
  stoppedBy: string;
}

/**
 * Who does not hear whom, from two dumps of every page's connections 1 s apart. A connection is
 * matched to the page that sends it by stream id: each page sends one microphone stream, named in
 * the `a=msid:` lines of its descriptions; a connection that has no remote description yet is
 * named by elimination when it is the only one left.
 */
async function describeFailure(
  what: string,
  pages: Page[],
  names: string[],
  /** Who passed `receiving` in the window; null when it was not run (a newcomer could not join). */
  passed: Set<number> | null,
  n: number,
): Promise<void> {
  const dump = (p: Page) => withTimeout(dumpConnections(p), 10_000, 'dump').catch(() => []);
  const before = await Promise.all(pages.map(dump));
  await sleep(1_000);
  const after = await Promise.all(pages.map(dump));
  const sends = after.map(
    (conns) => new Set(conns.flatMap((c) => c.localStreams).filter((id) => id !== '-')),
  );
  const states = new Map<string, number>();
  for (const [i, conns] of after.entries()) {
    const open = conns
      .map((c, k) => ({ c, b: before[i]?.[k] }))
      .filter(({ c }) => c.connectionState !== 'closed');
    const sender = ({ c }: { c: ConnectionDump }) => {
      const j = sends.findIndex((ids, j) => j !== i && c.remoteStreams.some((id) => ids.has(id)));
      return j >= 0 ? names[j] : undefined;
    };
    const heard = new Set(open.map(sender).filter((x) => x !== undefined));
    const missing = names.filter((other, j) => j !== i && !heard.has(other));
    const unnamed = open.filter((o) => sender(o) === undefined);
    const label = (o: { c: ConnectionDump }) =>
      sender(o) ??
      (unnamed.length === 1 && missing.length === 1
        ? `${missing[0]} (no remote description yet)`
        : `one of ${missing.join(', ') || '?'} (no remote description yet)`);
    const bad = open.filter(({ c, b }) => {
      const packets = c.packetsReceived - (b?.packetsReceived ?? 0);
      const energy = c.totalAudioEnergy - (b?.totalAudioEnergy ?? 0);
      return c.connectionState !== 'connected' || packets <= 0 || energy <= 1e-6;
    });
    for (const { c } of open) states.set(c.connectionState, (states.get(c.connectionState) ?? 0) + 1);
    if (passed?.has(i) && bad.length === 0 && open.length === n - 1) continue;
    log(
      `${what}:   ${names[i]}: ${passed === null ? 'not checked' : passed.has(i) ? 'passed within the window' : 'did not pass'}; ${open.length} open connections of ${n - 1}`,
    );
    for (const o of bad) {
      const { c, b } = o;
      log(
        `${what}:     from ${label(o)}: connection ${c.connectionState}, ICE ${c.iceConnectionState}, signalling ${c.signalingState}, packets ${c.packetsReceived} (+${c.packetsReceived - (b?.packetsReceived ?? 0)} in 1 s, lost ${c.packetsLost}), energy +${fmt(c.totalAudioEnergy - (b?.totalAudioEnergy ?? 0), 4)}`,
      );
    }
  }
  log(
    `${what}:   all open connections by state: ${[...states].map(([k, v]) => `${k} ${v}`).join(', ')} (of ${n * (n - 1)} wanted)`,
  );
}

/** What the pages sent to the gateway: the newcomer's frames, the busiest socket, 4008 closes. */
async function gatewaySummary(pages: Page[], names: string[]): Promise<string> {
  const all = await Promise.all(
    pages.map((p) => withTimeout(gatewayFrames(p), 10_000, 'gateway frames').catch(() => undefined)),
  );
  const newcomer = all.at(-1);
  let busiest = -1;
  for (const [i, g] of all.entries()) {
    if (g && (busiest < 0 || g.maxPerMinute > (all[busiest]?.maxPerMinute ?? 0))) busiest = i;
  }
  const closed = all.flatMap((g, i) => (g?.closed4008 ? [`${names[i]} ×${g.closed4008}`] : []));
  const reopened = all.flatMap((g, i) => (g && g.sockets > 1 ? [`${names[i]} ${g.sockets}`] : []));
  return `gateway: the newcomer sent ${newcomer?.frames ?? '?'} frames (${newcomer?.voiceSignals ?? '?'} voice_signal), the most frames any socket sent in 60 s: ${all[busiest]?.maxPerMinute ?? '?'} (${names[busiest] ?? '?'}; the gateway closes past 120 with 4008); closed with 4008: ${closed.length ? closed.join(', ') : 'none'}; pages that opened more than one gateway socket: ${reopened.length ? reopened.join(', ') : 'none'}`;
}

/**
 * Grows a mesh one participant at a time (`add` makes participant i and returns its page) from
 * N = 2 to `maxN`; after each join, N holds when every page passes `receiving` within
 * HOLD_WINDOW_MS. Stops at the first N that does not, and describes it.
 */
async function growMesh(
  what: string,
  pid: number,
  names: string[],
  maxN: number,
  add: (i: number, pages: Page[]) => Promise<Page>,
  /** The app's pages also say what they sent to the gateway. */
  gateway = false,
): Promise<MeshResult> {
  const pages: Page[] = [];
  const result: MeshResult = { largest: 1, firstFailure: null, stoppedBy: `N = ${maxN}, the most tried` };
  for (let n = 2; n <= maxN; n++) {
    if (elapsed() > MESH_STOP_MS) {
      result.stoppedBy = `the time budget (N = ${n} not tried)`;
      break;
    }
    const t0 = performance.now();
    const joining = cpuWindow(pid);
    const past = n > CHANNEL_CAP ? ' (past the cap)' : '';
    try {
      while (pages.length < n) pages.push(await withTimeout(add(pages.length, pages), 45_000, 'joining'));
    } catch (err) {
      // On a saturated machine the page of the newcomer may not even finish joining.
      result.firstFailure = n;
      result.stoppedBy = `N = ${n} did not hold (the newcomer could not join)`;
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      log(
        `${what}: N=${n}${past} does NOT hold: participant ${n} did not finish joining (${why}); the browser meanwhile ${cpuLine(joining())}`,
      );
      await describeFailure(what, pages, names.slice(0, pages.length), null, n);
      if (gateway) log(`${what}:   ${await gatewaySummary(pages, names)}`);
      if (gateway) log(`${what}:   the engine's warnings: ${warningSummary(pages)}`);
      break;
    }
    const joinMs = performance.now() - t0;
    const during = cpuWindow(pid);
    const joinedAt = performance.now();
    const passed = await untilAllReceive(pages, n - 1, HOLD_WINDOW_MS);
    const holdMs = performance.now() - joinedAt;
    if (passed.size < n) {
      result.firstFailure = n;
      result.stoppedBy = `N = ${n} did not hold`;
      log(
        `${what}: N=${n}${past} does NOT hold: ${passed.size} of ${n} participants heard everyone within ${HOLD_WINDOW_MS / 1000} s; the browser meanwhile ${cpuLine(during())}`,
      );
      await describeFailure(what, pages, names.slice(0, n), passed, n);
      if (gateway) log(`${what}:   ${await gatewaySummary(pages, names)}`);
      if (gateway) log(`${what}:   the engine's warnings: ${warningSummary(pages)}`);
      break;
    }
    const w = await measure(pid, MESH_CPU_MS);
    result.largest = n;
    log(
      `${what}: N=${n}${past} holds: joined in ${fmt(joinMs / 1000, 1)} s, everyone heard everyone ${fmt(holdMs / 1000, 1)} s later; then the browser (all ${n}) ${cpuLine(w)}`,
    );
    if (gateway) log(`${what}:   ${await gatewaySummary(pages, names)}`);
  }
  return result;
}

async function meshCapacity(base: string, users: User[], serverPath: string): Promise<MeshResult> {
  const t = await launchTracked();
  try {
    log(
      `mesh: one Chromium, one context per participant, joining one at a time; holds = every participant passes \`receiving\` within ${HOLD_WINDOW_MS / 1000} s of the last join; cap ${CHANNEL_CAP} (raised to ${Math.max(CHANNEL_CAP, MESH_MAX)} for this server, used only if N = ${CHANNEL_CAP} holds)`,
    );
    return await growMesh(
      'mesh',
      t.pid,
      users.map((u) => u.username),
      MESH_MAX,
      async (i) => {
        const p = await participant(t.browser, base, users[i] as User);
        await joinVoice(p.page, serverPath);
        return p.page;
      },
      true,
    );
  } finally {
    await closeTracked(t);
  }
}

/** The baseline: the same growth with bare pages (one context each) in one Chromium, signalled by this process. */
async function bareMeshCapacity(maxN: number): Promise<MeshResult> {
  // The app's browser of the previous part takes a few seconds to wind down.
  await sleep(5_000);
  const t = await launchTracked();
  try {
    log(`mesh-bare: the same with bare pages (one context each, one Chromium), up to N = ${maxN}`);
    return await growMesh(
      'mesh-bare',
      t.pid,
      Array.from({ length: maxN }, (_, i) => `bare${i + 1}`),
      maxN,
      async (i, pages) => {
        const context = await t.browser.newContext();
        await addNameShim(context);
        const page = await openBarePage(context);
        await meshInit(page);
        await connectBareMesh([...pages, page], i);
        return page;
      },
    );
  } finally {
    await closeTracked(t);
  }
}

// ---------------------------------------------------------------------------------------------

function machine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? '?';
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  return `${availableParallelism()} cores (${model}), ${fmt(memKb / 1024 / 1024, 1)} GiB (MemTotal ${memKb} kB), node ${process.version}`;
}

function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_DIR, encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const meshUsers = MESH_MAX;
  const cpuUsers = Math.max(...CPU_SIZES);
  const server = await startTestServer({
    // An empty data folder, migrated by the app: the e2e template comes from vitest's globalSetup.
    db: await createTestDatabase('pglite', { empty: true }),
    config: { voice: { channelLimit: Math.max(CHANNEL_CAP, MESH_MAX) } },
  });
  const version = await (async () => {
    const t = await launchTracked();
    const v = t.browser.version();
    await closeTracked(t);
    return v;
  })();
  log(`bench ${quick ? '--quick' : '(full)'} on ${new Date().toISOString()}, commit ${commit()}`);
  log(`machine: ${machine()}, Chromium ${version}`);
  const before = await measure(process.pid, 3_000);
  log(
    `machine before the run: ${fmt(before.machinePercent)} % busy of ${availableParallelism()} cores over 3 s${before.machinePercent > 15 ? ' -- something else is running: the figures will be low and noisy' : ''}`,
  );
  log(
    `browser: launchBrowser's switches + FAKE_MEDIA${AUTOPLAY.length ? ` + ${AUTOPLAY.join(' ')} (Chrome's desktop default)` : ' (the e2e autoplay policy, user-gesture-required)'}`,
  );
  log(
    `server: in this process (startTestServer, embedded PGlite, ${server.url}): it relays signalling only; the audio goes peer to peer over loopback`,
  );
  const [caller, callee, ...rest] = await people(server.url, [
    'caller',
    'callee',
    ...Array.from({ length: cpuUsers }, (_, i) => `cpu${i + 1}`),
    ...Array.from({ length: meshUsers }, (_, i) => `mesh${i + 1}`),
  ]);
  if (!caller || !callee) throw new Error('no people');
  await befriend(caller, callee);
  const cpuPeople = rest.slice(0, cpuUsers);
  const meshPeople = rest.slice(cpuUsers);
  const [cpuOwner, ...cpuOthers] = cpuPeople;
  const [meshOwner, ...meshOthers] = meshPeople;
  if (!cpuOwner || !meshOwner) throw new Error('no people');
  const cpuServer = await serverWith(cpuOwner, 'CPU', cpuOthers);
  const meshServer = await serverWith(meshOwner, 'Mesh', meshOthers);
  let failed = false;
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (err) {
      failed = true;
      log(`${what}: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return undefined;
    } finally {
      log(`${what}: took ${fmt((performance.now() - t0) / 1000, 1)} s`);
    }
  };
  const fa = parts.includes('first-audio')
    ? await run('first-audio', () => firstAudio(server.url, caller, callee))
    : undefined;
  const cpu = parts.includes('cpu')
    ? await run('cpu', () => cpuOfOneBrowser(server.url, cpuPeople, `/channels/${cpuServer.id}`))
    : undefined;
  const mesh = parts.includes('mesh')
    ? await run('mesh', () => meshCapacity(server.url, meshPeople, `/channels/${meshServer.id}`))
    : undefined;
  // The bare mesh goes one past where the app's stopped (it may hold more), no further.
  const bareMax = Math.min(MESH_MAX, (mesh?.firstFailure ?? MESH_MAX) + 1);
  const bareMesh = parts.includes('mesh')
    ? await run('mesh-bare', () => bareMeshCapacity(bareMax))
    : undefined;
  await server.close();
  if (mesh) log(`mesh: app, largest N that holds: ${mesh.largest} (stopped by ${mesh.stoppedBy})`);
  if (bareMesh)
    log(`mesh-bare: largest N that holds: ${bareMesh.largest} (stopped by ${bareMesh.stoppedBy})`);
  if (mesh && bareMesh)
    log(`mesh: ratio_vs_bare=${fmt(mesh.largest / bareMesh.largest, 2)} (largest N, app / bare)`);
  const ratio = (n: number) => {
    const a = cpu?.app.get(n);
    const b = cpu?.bare.get(n);
    return a && b ? fmt(a.percent / b.percent, 2) : '–';
  };
  const bareBoth = present(
    (fa?.bare ?? []).map((r) =>
      r.offererMs !== null && r.answererMs !== null ? Math.max(r.offererMs, r.answererMs) : null,
    ),
  );
  console.log(
    `voice: first_audio_ms=${fmt(median(fa?.bothWays ?? []))} first_audio_ratio_vs_baseline=${fmt(median(fa?.bothWays ?? []) / median(bareBoth), 1)} cpu3_pct=${fmt(cpu?.app.get(3)?.percent, 1)} cpu3_ratio_vs_bare=${ratio(3)} cpu6_pct=${fmt(cpu?.app.get(6)?.percent, 1)} cpu6_ratio_vs_bare=${ratio(6)} mesh_max_n=${mesh?.largest ?? '–'} mesh_bare_max_n=${bareMesh?.largest ?? '–'} total_s=${fmt(elapsed() / 1000)}`,
  );
  process.exit(failed ? 1 : 0);
}

await main();
