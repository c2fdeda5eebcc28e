import { CLOSE_CODES } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { Connection } from './connection.js';

/** Just enough of a `ws` socket: state, unsent bytes, what was sent, how it was closed. */
function fakeSocket() {
  const sock = {
    OPEN: 1,
    CONNECTING: 0,
    readyState: 1,
    bufferedAmount: 0,
    sent: [] as string[],
    closedWith: undefined as number | undefined,
    send(data: string) {
      sock.sent.push(data);
    },
    close(code: number) {
      sock.closedWith = code;
      sock.readyState = 2;
    },
  };
  return sock;
}

describe('Connection send bound (slow consumers)', () => {
  it('sends while the unsent output is within the bound', () => {
    const ws = fakeSocket();
    const conn = new Connection(ws as unknown as WebSocket, undefined, 1_000);
    ws.bufferedAmount = 1_000;
    conn.sendEncodedEvent(1, '{"t":"x","d":{}}');
    expect(ws.sent).toEqual(['{"op":"event","seq":1,"t":"x","d":{}}']);
    expect(ws.closedWith).toBeUndefined();
  });

  it('closes with 4011 (resumable) instead of buffering past the bound, and sends nothing more', () => {
    const ws = fakeSocket();
    const conn = new Connection(ws as unknown as WebSocket, undefined, 1_000);
    ws.bufferedAmount = 1_001;
    conn.sendEncodedEvent(1, '{"t":"x","d":{}}');
    expect(ws.closedWith).toBe(CLOSE_CODES.slowConsumer);
    expect(CLOSE_CODES.slowConsumer).toBe(4011);
    expect(ws.sent).toEqual([]);
    ws.bufferedAmount = 0;
    conn.sendEncodedEvent(2, '{"t":"x","d":{}}');
    expect(ws.sent).toEqual([]);
  });

  it('has no bound unless one is given', () => {
    const ws = fakeSocket();
    const conn = new Connection(ws as unknown as WebSocket, undefined);
    ws.bufferedAmount = 2 ** 40;
    conn.sendEncodedEvent(1, '{"t":"x","d":{}}');
    expect(ws.sent).toHaveLength(1);
  });

  it('never closes for a reply (it answers the client, whose frames are rate-limited)', () => {
    const ws = fakeSocket();
    const conn = new Connection(ws as unknown as WebSocket, undefined, 10);
    ws.bufferedAmount = 1_000;
    conn.ok('r1');
    expect(ws.sent).toEqual(['{"op":"reply","ok":true,"ref":"r1"}']);
    expect(ws.closedWith).toBeUndefined();
  });
});

describe('Connection replay', () => {
  it('sends a replay past the bound (the replay buffer bounds it)', () => {
    const ws = fakeSocket();
    const conn = new Connection(ws as unknown as WebSocket, undefined, 10);
    ws.bufferedAmount = 1_000;
    conn.sendEncodedEvent(7, '{"t":"x","d":{}}', false);
    expect(ws.sent).toHaveLength(1);
    expect(ws.closedWith).toBeUndefined();
  });
});
