import type { Message, Server } from '@decentra/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, type Person, people, refused, serverWith, textChannelOf } from '../../../test/people.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { TestSocket } from '../../../test/ws-client.js';

let server: TestServer;
let owner: Person;
let ann: Person;
let ben: Person;
let guild: Server;

beforeAll(async () => {
  server = await startTestServer({ sendLimits: { points: 1000, windowSeconds: 5 } });
  [owner, ann, ben] = await people(server.url, ['owner', 'ann', 'ben']);
  guild = await serverWith(owner, 'Replies', [ann, ben]);
});
afterAll(() => server.close());

async function freshChannel(): Promise<string> {
  return (
    await owner.rest.createChannel({ serverId: guild.id, name: `r${Date.now() % 100000}`, type: 'text' })
  ).id;
}

const send = (
  p: Person,
  channelId: string,
  content: string,
  reply?: { replyTo: string; mentionReplied?: boolean },
) => p.rest.sendMessage({ channelId, content, ...reply });

describe('replies', () => {
  it('carries a snapshot of the original and mentions its author, in the event and in history', async () => {
    const c = await freshChannel();
    const original = await send(ann, c, `question ${'x'.repeat(300)}`);
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const reply = await send(ben, c, 'answer', { replyTo: original.id });
    expect(reply.reference).toEqual({
      messageId: original.id,
      message: { author: { id: ann.id, username: 'ann' }, content: original.content.slice(0, 200) },
    });
    expect(reply.mentions).toEqual([ann.id]);
    expect((await b.socket.nextEvent('message_create')).d).toEqual(reply);
    b.socket.close();
    const [, fromHistory] = await ann.rest.listMessages({ channelId: c });
    expect(fromHistory).toEqual(reply);
    // The mention counts for the original's author like a written @ann.
    expect(await ann.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 1 });
  });

  it('quotes a message of files only by its files, in the answer and in history', async () => {
    const c = await freshChannel();
    const files = await Promise.all(
      ['a.txt', 'b.txt'].map((filename) =>
        ann.rest.uploadAttachment({ channelId: c, filename, body: new TextEncoder().encode(filename) }),
      ),
    );
    const original = await ann.rest.sendMessage({
      channelId: c,
      content: '',
      attachments: files.map((f) => f.id),
    });
    const reply = await send(ben, c, 'got them', { replyTo: original.id });
    expect(reply.reference?.message).toEqual({
      author: { id: ann.id, username: 'ann' },
      content: '',
      attachmentCount: 2,
    });
    const [, fromHistory] = await ben.rest.listMessages({ channelId: c });
    expect(fromHistory?.reference).toEqual(reply.reference);
    // A plain original says nothing of files.
    const plain = await send(ben, c, 'plain', { replyTo: reply.id });
    expect(plain.reference?.message).toEqual({
      author: { id: ben.id, username: 'ben' },
      content: 'got them',
    });
  });

  it('does not mention when the sender turns it off, nor when replying to oneself', async () => {
    const c = await freshChannel();
    const original = await send(ann, c, 'hi');
    const quiet = await send(ben, c, 'quiet', { replyTo: original.id, mentionReplied: false });
    expect(quiet.mentions).toEqual([]);
    expect(quiet.reference?.message?.author.id).toBe(ann.id);
    const own = await send(ann, c, 'me again', { replyTo: original.id });
    expect(own.mentions).toEqual([]);
    expect(await ann.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 0 });
  });

  it('keeps the reply mention across an edit, and an @name written too counts once', async () => {
    const c = await freshChannel();
    const original = await send(ann, c, 'hi');
    const reply = await send(ben, c, 'hello @ann', { replyTo: original.id });
    expect(reply.mentions).toEqual([ann.id]);
    const edited = await ben.rest.editMessage({
      channelId: c,
      messageId: reply.id,
      content: 'hello, edited',
    });
    expect(edited.mentions).toEqual([ann.id]);
    expect(edited.reference?.messageId).toBe(original.id);
    expect(await ann.rest.getReadState({ channelId: c })).toMatchObject({ mentionCount: 1 });
  });

  it('refuses a reply to a message of another channel, or to one that does not exist', async () => {
    const c = await freshChannel();
    const elsewhere = await send(ann, textChannelOf(guild), 'in general');
    const err = await refused(send(ben, c, 'wrong place', { replyTo: elsewhere.id }));
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/this channel/);
    const missing = await refused(send(ben, c, 'nothing', { replyTo: '123456789' }));
    expect(missing.code).toBe('invalid_input');
    expect(await ben.rest.listMessages({ channelId: c })).toEqual([]);
    // The gateway op answers the same.
    const b = await TestSocket.identified(server.wsUrl, ben.token);
    const answer = await b.socket.request('send_message', {
      channelId: c,
      content: 'op',
      nonce: 'reply-op-1',
      replyTo: elsewhere.id,
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    b.socket.close();
  });

  it('shows a deleted original as null, the reply staying, in history and on a resend', async () => {
    const c = await freshChannel();
    const original = await send(ann, c, 'soon gone');
    const reply = await ben.rest.sendMessage({
      channelId: c,
      content: 're',
      replyTo: original.id,
      nonce: 'del-1',
    });
    await ann.rest.deleteMessage({ channelId: c, messageId: original.id });
    const page = await ben.rest.listMessages({ channelId: c });
    expect(page.map((m) => m.id)).toEqual([reply.id]);
    expect(page[0]?.reference).toEqual({ messageId: original.id, message: null });
    const again = await ben.rest.sendMessage({
      channelId: c,
      content: 're',
      replyTo: original.id,
      nonce: 'del-1',
    });
    expect(again.reference).toEqual({ messageId: original.id, message: null });
    // A message that is no reply has no reference at all.
    const plain = await send(ann, c, 'plain');
    expect(plain.reference).toBeUndefined();
  });

  it('resolves every reference of a history page in the page read', async () => {
    const c = await freshChannel();
    const originals: Message[] = [];
    for (let i = 0; i < 5; i++) originals.push(await send(ann, c, `o${i}`));
    for (const o of originals) await send(ben, c, `re ${o.content}`, { replyTo: o.id });
    const page = await owner.rest.listMessages({ channelId: c, limit: 100 });
    const replies = page.filter((m) => m.reference);
    expect(replies.map((m) => m.reference?.message?.content)).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
  });

  it('works in a DM: the other end is mentioned', async () => {
    await befriend(ann, ben);
    const dm = await ann.rest.openDm({ userId: ben.id });
    const original = await send(ben, dm.id, 'dm hi');
    const reply = await send(ann, dm.id, 'dm re', { replyTo: original.id });
    expect(reply.mentions).toEqual([ben.id]);
    expect(reply.reference?.message?.content).toBe('dm hi');
  });
});
