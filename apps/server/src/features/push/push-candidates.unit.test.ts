import type { Message } from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import type { MessageCreated } from '../messages/messages.service.js';
import { pushCandidates } from './push-sender.js';

const message = (over: Partial<Message> = {}): Message => ({
  id: '100',
  channelId: '200',
  author: { id: '1', username: 'ann' },
  content: 'hi',
  mentions: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  editedAt: null,
  ...over,
});
const inServer = (m: Message): MessageCreated => ({ message: m, serverId: 9n, dmEnds: undefined });
const inDm = (m: Message, ends: bigint[] = [1n, 2n]): MessageCreated => ({
  message: m,
  serverId: null,
  dmEnds: ends,
});

describe('who a message may push to (before any query)', () => {
  it('is the other end of a DM, never its author', () => {
    expect(pushCandidates(inDm(message()))).toEqual({ kind: 'users', ids: [2n] });
    expect(pushCandidates(inDm(message({ author: { id: '2', username: 'ben' } })))).toEqual({
      kind: 'users',
      ids: [1n],
    });
  });

  it('is the mentioned users of a server message, once each, never its author', () => {
    expect(pushCandidates(inServer(message({ mentions: ['3', '4', '3', '1'] })))).toEqual({
      kind: 'users',
      ids: [3n, 4n],
    });
  });

  it('is every member for @everyone, but not for @here (that is for those online)', () => {
    expect(pushCandidates(inServer(message({ mentionEveryone: 'everyone' })))).toEqual({
      kind: 'members',
      serverId: 9n,
    });
    expect(pushCandidates(inServer(message({ mentionEveryone: 'here' })))).toBeUndefined();
    expect(pushCandidates(inServer(message({ mentionEveryone: 'here', mentions: ['5'] })))).toEqual({
      kind: 'users',
      ids: [5n],
    });
  });

  it('is nobody for a plain server message, a self-mention or a call record', () => {
    expect(pushCandidates(inServer(message()))).toBeUndefined();
    expect(pushCandidates(inServer(message({ mentions: ['1'] })))).toBeUndefined();
    expect(
      pushCandidates(inDm(message({ content: '', call: { outcome: 'missed', durationSeconds: 0 } }))),
    ).toBeUndefined();
  });
});
