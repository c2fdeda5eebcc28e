import { parseServerFrame } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import type { PresenceMessage } from '../kernel/events.js';
import { presenceFrames } from './presence-frames.js';

const change = (userId: string, status: 'online' | 'offline', ...to: string[]) => ({
  d: { userId, status },
  to,
});
const everyone = () => true;

describe('presence frames', () => {
  it('tells one change as presence_update, encoded once for all its recipients', () => {
    const frames = presenceFrames(
      { kind: 'presence', changes: [change('1', 'online', '2', '3', '4')] },
      everyone,
    );
    expect([...frames.keys()]).toEqual(['2', '3', '4']);
    expect(JSON.parse(frames.get('2') ?? '')).toEqual({
      t: 'presence_update',
      d: { userId: '1', status: 'online' },
    });
    // The same string, not three equal ones.
    expect(new Set(frames.values()).size).toBe(1);
  });

  it('gives each recipient the changes addressed to it as one frame: who is online and offline after them', () => {
    const message: PresenceMessage = {
      kind: 'presence',
      changes: [
        change('1', 'online', '2', '3'),
        change('2', 'online', '1', '3'),
        change('1', 'offline', '2', '3'),
      ],
    };
    const frames = presenceFrames(message, everyone);
    const decoded = (id: string) => JSON.parse(frames.get(id) ?? '');
    expect(decoded('1')).toEqual({ t: 'presence_update', d: { userId: '2', status: 'online' } });
    // Online, then offline: what is left is the last.
    expect(decoded('2')).toEqual({ t: 'presence_update', d: { userId: '1', status: 'offline' } });
    expect(decoded('3')).toEqual({ t: 'presence_batch', d: { online: ['2'], offline: ['1'] } });
    // What the contract allows a client to receive.
    for (const encoded of frames.values()) {
      const { t, d } = JSON.parse(encoded);
      expect(parseServerFrame({ op: 'event', t, d, seq: 1 }).success).toBe(true);
    }
  });

  it('leaves out the users another instance holds', () => {
    const frames = presenceFrames(
      { kind: 'presence', changes: [change('1', 'online', '2', '3'), change('4', 'online', '3')] },
      (userId) => userId === '3',
    );
    expect([...frames.keys()]).toEqual(['3']);
    expect(JSON.parse(frames.get('3') ?? '').t).toBe('presence_batch');
  });
});
