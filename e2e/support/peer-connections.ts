import type { Page } from 'playwright-core';

/**
 * A window into the page's WebRTC connections, for voice tests: every RTCPeerConnection the
 * page makes is kept in a list (the product code is unchanged; the constructor is wrapped before
 * any page script runs), and `audioStats` reads what each live one receives.
 */
export async function watchPeerConnections(page: Page): Promise<void> {
  page.on('console', (message) => {
    if (message.type() !== 'warning' && message.type() !== 'error') return;
    const list = consoleNotes.get(page) ?? [];
    list.push(`${message.type()}: ${message.text()}`.slice(0, 300));
    consoleNotes.set(page, list.slice(-15));
  });
  await page.addInitScript(() => {
    const made: RTCPeerConnection[] = [];
    const Original = window.RTCPeerConnection;
    class Watched extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    }
    Object.defineProperty(window, '__peerConnections', { value: made });
    window.RTCPeerConnection = Watched;
  });
}

/** The page's last console warnings and errors (the app reports voice trouble there). */
const consoleNotes = new WeakMap<Page, string[]>();

export interface ReceivedAudio {
  connectionState: RTCPeerConnectionState;
  bytesReceived: number;
  totalAudioEnergy: number;
  /** The type of this side's candidate in the selected pair: host, srflx or relay. */
  localCandidateType: string | undefined;
}

/** What each peer connection of the page (open or closed) is receiving, in order of creation. */
export function audioStats(page: Page): Promise<ReceivedAudio[]> {
  return page.evaluate(async () => {
    const list: RTCPeerConnection[] = Reflect.get(window, '__peerConnections') ?? [];
    return Promise.all(
      list.map(async (pc) => {
        const out = {
          connectionState: pc.connectionState,
          bytesReceived: 0,
          totalAudioEnergy: 0,
          localCandidateType: undefined as string | undefined,
        };
        if (pc.connectionState === 'closed') return out;
        const stats = await pc.getStats();
        let pairLocal: string | undefined;
        stats.forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') {
            out.bytesReceived += Number(s.bytesReceived ?? 0);
            out.totalAudioEnergy += Number(s.totalAudioEnergy ?? 0);
          }
          if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
            const pair = stats.get(s.selectedCandidatePairId);
            pairLocal = pair?.localCandidateId;
          }
        });
        if (pairLocal) out.localCandidateType = stats.get(pairLocal)?.candidateType;
        return out;
      }),
    );
  });
}

/** The open connections only. */
export async function openConnections(page: Page): Promise<ReceivedAudio[]> {
  return (await audioStats(page)).filter((c) => c.connectionState !== 'closed');
}

/**
 * Whether every open connection of the page receives audio: bytes and sound energy both grow
 * over a measuring window of `ms`. With `silent`, whether the sound energy stays flat instead
 * (the other side muted) while packets still arrive. Chromium's fake microphone beeps twice a
 * second, so a window of 1.5 s holds sound whenever the sender is not muted: a mute that does
 * not work fails the check.
 */
export async function receiving(page: Page, expected: number, silent = false): Promise<boolean> {
  const ms = silent ? 1_500 : 600;
  const before = await openConnections(page);
  await page.waitForTimeout(ms);
  const after = await openConnections(page);
  if (before.length !== expected || after.length !== expected) return false;
  return after.every((c, i) => {
    const b = before[i];
    if (!b || c.bytesReceived <= b.bytesReceived) return false;
    const energy = c.totalAudioEnergy - b.totalAudioEnergy;
    return silent ? energy < 1e-6 : energy > 1e-6;
  });
}

/**
 * Waits until `receiving(page, expected, silent)` holds; on timeout fails with what each of the
 * page's connections was doing (ICE and signalling states, candidate pairs, bytes) and the page's
 * last warnings, so a failure under load says where the call got stuck.
 */
export async function untilReceiving(
  page: Page,
  expected: number,
  options: { silent?: boolean; timeout?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeout ?? 30_000);
  while (!(await receiving(page, expected, options.silent))) {
    if (Date.now() > deadline) {
      const state = await connectionReport(page);
      const notes = (consoleNotes.get(page) ?? []).join('\n  ');
      throw new Error(
        `${expected} connection(s) ${options.silent ? 'silent' : 'with sound'} not seen in time\n${state}\n  ${notes}`,
      );
    }
    await page.waitForTimeout(200);
  }
}

/** One line per peer connection: states, bytes received and every candidate pair. */
function connectionReport(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const list: RTCPeerConnection[] = Reflect.get(window, '__peerConnections') ?? [];
    const lines = await Promise.all(
      list.map(async (pc, i) => {
        const head = `#${i} ${pc.connectionState} ice=${pc.iceConnectionState} gathering=${pc.iceGatheringState} signalling=${pc.signalingState}`;
        if (pc.connectionState === 'closed') return head;
        const stats = await pc.getStats();
        const parts: string[] = [];
        stats.forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') parts.push(`in ${String(s.bytesReceived)} B`);
          if (s.type === 'outbound-rtp' && s.kind === 'audio') parts.push(`out ${String(s.bytesSent)} B`);
          if (s.type === 'candidate-pair') {
            const local = stats.get(String(s.localCandidateId))?.candidateType;
            const remote = stats.get(String(s.remoteCandidateId))?.candidateType;
            parts.push(`pair ${String(local)}-${String(remote)} ${String(s.state)}`);
          }
          if (s.type === 'local-candidate') parts.push(`local ${String(s.candidateType)}`);
        });
        return `${head} ${parts.join(', ')}`;
      }),
    );
    return lines.join('\n') || 'no peer connection';
  });
}
