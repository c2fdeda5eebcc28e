import type { Page } from 'playwright-core';

/**
 * A window into the page's WebRTC connections, for voice tests: every RTCPeerConnection the
 * page makes is kept in a list (the product code is unchanged; the constructor is wrapped before
 * any page script runs), and `audioStats` reads what each live one receives.
 */
export async function watchPeerConnections(page: Page): Promise<void> {
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
