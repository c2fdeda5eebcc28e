import {
  type Channel,
  DEFAULT_USER_SETTINGS,
  type EventData,
  type EventName,
  type GatewayEvent,
  MENTION_COUNT_CAP,
  type Message,
  type ReadyData,
  type Server,
} from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import { laterReadState, reduceEvent, TYPING_MS, typingNames, withChannel } from './apply-event.js';
import { applyReady, type ChatState, initialChatState } from './chat-store.js';
import { addPending, EMPTY_CHANNEL, mergeMessages } from './message-list.js';

const me = { id: '1', username: 'me', isAdmin: false, createdAt: '2026-01-01T00:00:00.000Z' };
const all = {
  createChannel: true,
  editChannel: true,
  deleteChannel: true,
  mentionEveryone: true,
  pinMessages: true,
};
const none = {
  createChannel: false,
  editChannel: false,
  deleteChannel: false,
  mentionEveryone: false,
  pinMessages: false,
};
const general: Channel = { id: '11', serverId: '10', type: 'text', name: 'general' };
const server: Server = { id: '10', name: 'Club', ownerId: '1', channels: [general], myPermissions: all };
const dm: Channel = {
  id: '50',
  serverId: null,
  type: 'dm',
  name: 'me, bob',
  recipients: [
    { id: '1', username: 'me' },
    { id: '2', username: 'bob' },
  ],
};

function ready(extra: Partial<ReadyData> = {}): ReadyData {
  return {
    sessionId: 's',
    user: me,
    servers: [server],
    dms: [dm],
    friends: { friends: [{ id: '2', username: 'bob' }], incoming: [], outgoing: [] },
    presences: [{ userId: '2', status: 'online' }],
    voiceStates: [],
    calls: [],
    settings: DEFAULT_USER_SETTINGS,
    readStates: [],
    notificationOverrides: [],
    ...extra,
  };
}

function event<T extends EventName>(t: T, d: EventData<T>): GatewayEvent {
  return { op: 'event', t, d, seq: 1 } as GatewayEvent;
}

function apply<T extends EventName>(state: ChatState, t: T, d: EventData<T>, now = 1000): ChatState {
  return { ...state, ...reduceEvent(state, event(t, d), now) };
}

function message(id: string, channelId = '11', extra: Partial<Message> = {}): Message {
  return {
    id,
    channelId,
    author: { id: '2', username: 'bob' },
    content: 'hi',
    mentions: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    editedAt: null,
    ...extra,
  };
}

describe('applyReady', () => {
  it('normalises servers, channels, DMs, friends and presence', () => {
    const s = applyReady(initialChatState(), ready());
    expect(s.me?.username).toBe('me');
    expect(s.serverOrder).toEqual(['10']);
    expect(s.servers['10']?.channelIds).toEqual(['11']);
    expect(s.channels['11']?.name).toBe('general');
    expect(s.dmIds).toEqual(['50']);
    expect(s.friends['2']?.username).toBe('bob');
    expect(s.presence['2']).toBe('online');
    // Whoever holds the connection shows as online to themselves.
    expect(s.me && s.presence[s.me.id]).toBe('online');
    expect(s.users['2']?.username).toBe('bob');
  });

  it('keeps loaded messages of channels that still exist and drops the others', () => {
    let s = applyReady(initialChatState(), ready());
    s = { ...s, messages: { '11': mergeMessages(EMPTY_CHANNEL, [message('100')]), '99': EMPTY_CHANNEL } };
    s = applyReady(s, ready());
    expect(Object.keys(s.messages)).toEqual(['11']);
  });
});

describe('events', () => {
  const base = () => applyReady(initialChatState(), ready());

  it('server_create / update / delete', () => {
    let s = apply(base(), 'server_create', { ...server, id: '20', name: 'Two', channels: [] });
    expect(s.serverOrder).toEqual(['10', '20']);
    s = apply(s, 'server_update', { id: '20', name: 'Renamed', ownerId: '1' });
    expect(s.servers['20']?.name).toBe('Renamed');
    s = apply(s, 'server_delete', { id: '10' });
    expect(s.serverOrder).toEqual(['20']);
    expect(s.channels['11']).toBeUndefined();
  });

  it('member_leave of myself drops the server; of someone else only the member', () => {
    let s: ChatState = {
      ...base(),
      members: { '10': [{ user: { id: '3', username: 'cy' }, isOwner: false, permissions: none }] },
    };
    s = apply(s, 'member_leave', { serverId: '10', userId: '3' });
    expect(s.members['10']).toEqual([]);
    s = apply(s, 'member_leave', { serverId: '10', userId: '1' });
    expect(s.servers['10']).toBeUndefined();
  });

  it('member_join and member_update; my own update changes myPermissions', () => {
    let s: ChatState = { ...base(), members: { '10': [] } };
    s = apply(s, 'member_join', {
      serverId: '10',
      member: { user: { id: '3', username: 'cy' }, isOwner: false, permissions: none },
    });
    expect(s.members['10']).toHaveLength(1);
    s = apply(s, 'member_update', {
      serverId: '10',
      member: { user: { id: '3', username: 'cy' }, isOwner: false, permissions: all },
    });
    expect(s.members['10']?.[0]?.permissions.createChannel).toBe(true);
    s = apply(s, 'member_update', {
      serverId: '10',
      member: { user: { id: '1', username: 'me' }, isOwner: false, permissions: none },
    });
    expect(s.servers['10']?.myPermissions).toEqual(none);
  });

  it('channel_create / update / delete', () => {
    let s = apply(base(), 'channel_create', { id: '12', serverId: '10', type: 'voice', name: 'Lounge' });
    expect(s.servers['10']?.channelIds).toEqual(['11', '12']);
    s = apply(s, 'channel_update', { id: '12', serverId: '10', type: 'voice', name: 'Chill' });
    expect(s.channels['12']?.name).toBe('Chill');
    expect(s.servers['10']?.channelIds).toEqual(['11', '12']);
    s = apply(s, 'channel_delete', { id: '11', serverId: '10' });
    expect(s.servers['10']?.channelIds).toEqual(['12']);
    expect(s.channels['11']).toBeUndefined();
  });

  it('a channel applied from a REST answer and then from its event is listed once', () => {
    const channel = { id: '12', serverId: '10', type: 'text', name: 'random' } as const;
    let s = { ...base(), ...withChannel(base(), channel) };
    s = apply(s, 'channel_create', channel);
    expect(s.servers['10']?.channelIds).toEqual(['11', '12']);
    expect(s.channels['12']?.name).toBe('random');
  });

  it('message_create confirms my pending message by nonce and clears the author typing', () => {
    let s = base();
    s = {
      ...s,
      messages: {
        '11': addPending(EMPTY_CHANNEL, {
          ...message('pending:n', '11', { nonce: 'n' }),
          pending: 'sending',
        }),
      },
    };
    s = apply(s, 'typing_start', { channelId: '11', userId: '2', username: 'bob' });
    expect(typingNames(s, '11', 1001)).toEqual(['bob']);
    s = apply(s, 'message_create', message('100', '11', { nonce: 'n' }));
    expect(s.messages['11']?.items.map((m) => m.id)).toEqual(['100']);
    expect(typingNames(s, '11', 1001)).toEqual([]);
  });

  it('message_update and message_delete', () => {
    let s = apply(base(), 'message_create', message('100'));
    s = apply(
      s,
      'message_update',
      message('100', '11', { content: 'edited', editedAt: '2026-01-02T00:00:00.000Z' }),
    );
    expect(s.messages['11']?.items[0]?.content).toBe('edited');
    s = apply(s, 'message_delete', { id: '100', channelId: '11' });
    expect(s.messages['11']?.items).toEqual([]);
  });

  it("message_update brings a message's link previews, and an edit that drops them takes them away", () => {
    const embed = { url: 'https://a.example/', kind: 'link' as const, title: 'A' };
    let s = apply(base(), 'message_create', message('100', '11', { content: 'https://a.example/' }));
    s = apply(s, 'message_update', message('100', '11', { content: 'https://a.example/', embeds: [embed] }));
    expect(s.messages['11']?.items[0]?.embeds).toEqual([embed]);
    s = apply(
      s,
      'message_update',
      message('100', '11', { content: 'no link', editedAt: '2026-01-02T00:00:00.000Z' }),
    );
    expect(s.messages['11']?.items[0]?.embeds).toBeUndefined();
  });

  it('channel_pins_update marks a loaded message; a deleted original leaves its replies saying so', () => {
    let s = apply(base(), 'message_create', message('100'));
    const snapshot = { author: { id: '2', username: 'bob' }, content: 'hi' };
    s = apply(
      s,
      'message_create',
      message('101', '11', { reference: { messageId: '100', message: snapshot } }),
    );
    s = apply(s, 'channel_pins_update', { channelId: '11', messageId: '100', pinned: true });
    expect(s.messages['11']?.items[0]?.pinned).toBe(true);
    s = apply(s, 'channel_pins_update', { channelId: '11', messageId: '100', pinned: false });
    expect(s.messages['11']?.items[0]?.pinned).toBeUndefined();
    s = apply(s, 'message_delete', { id: '100', channelId: '11' });
    expect(s.messages['11']?.items.map((m) => [m.id, m.reference])).toEqual([
      ['101', { messageId: '100', message: null }],
    ]);
  });

  it('reaction_add / reaction_remove move counts, with `me` from the signed-in user', () => {
    let s = apply(base(), 'message_create', message('100'));
    const r = (emoji: string, userId: string) => ({ channelId: '11', messageId: '100', emoji, userId });
    const reactions = (st: ChatState) => st.messages['11']?.items[0]?.reactions;
    s = apply(s, 'reaction_add', r('👍', '2'));
    expect(reactions(s)).toEqual([{ emoji: '👍', count: 1, me: false }]);
    s = apply(s, 'reaction_add', r('👍', '1'));
    s = apply(s, 'reaction_add', r('🎉', '1'));
    expect(reactions(s)).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);
    // My own add again (the server never repeats it) changes nothing; an edit keeps the reactions.
    const same = apply(s, 'reaction_add', r('👍', '1'));
    expect(same.messages).toBe(s.messages);
    s = apply(
      s,
      'message_update',
      message('100', '11', { content: 'edited', editedAt: '2026-01-02T00:00:00.000Z' }),
    );
    expect(reactions(s)).toHaveLength(2);
    s = apply(s, 'reaction_remove', r('👍', '1'));
    expect(reactions(s)?.[0]).toEqual({ emoji: '👍', count: 1, me: false });
    s = apply(s, 'reaction_remove', r('🎉', '1'));
    s = apply(s, 'reaction_remove', r('👍', '2'));
    expect(reactions(s)).toEqual([]);
    // A message not held: nothing to change.
    const other = apply(s, 'reaction_add', { ...r('👍', '2'), messageId: '999' });
    expect(other.messages).toBe(s.messages);
  });

  it('typing expires and never lists me', () => {
    let s = apply(base(), 'typing_start', { channelId: '11', userId: '2', username: 'bob' }, 1000);
    s = apply(s, 'typing_start', { channelId: '11', userId: '1', username: 'me' }, 1000);
    expect(typingNames(s, '11', 1000 + TYPING_MS - 1)).toEqual(['bob']);
    expect(typingNames(s, '11', 1000 + TYPING_MS + 1)).toEqual([]);
  });

  it('typing names a member never loaded before', () => {
    const s = apply(base(), 'typing_start', { channelId: '11', userId: '9', username: 'zed' }, 1000);
    expect(typingNames(s, '11', 1001)).toEqual(['zed']);
  });

  it('friend requests, friends, presence and DMs', () => {
    let s = base();
    const req = {
      id: '70',
      from: { id: '3', username: 'cy' },
      to: { id: '1', username: 'me' },
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    s = apply(s, 'friend_request_create', req);
    expect(s.incoming).toHaveLength(1);
    const out = { ...req, id: '71', from: { id: '1', username: 'me' }, to: { id: '4', username: 'di' } };
    s = apply(s, 'friend_request_create', out);
    expect(s.outgoing).toHaveLength(1);
    s = apply(s, 'friend_request_delete', { id: '70' });
    s = apply(s, 'friend_add', { id: '3', username: 'cy' });
    expect(s.incoming).toHaveLength(0);
    expect(s.friends['3']?.username).toBe('cy');
    s = apply(s, 'friend_remove', { userId: '2' });
    expect(s.friends['2']).toBeUndefined();
    s = apply(s, 'presence_update', { userId: '3', status: 'online' });
    expect(s.presence['3']).toBe('online');
    // A batch says who is online and who offline now.
    s = apply(s, 'presence_batch', { online: ['4', '5'], offline: ['3'] });
    expect([s.presence['3'], s.presence['4'], s.presence['5']]).toEqual(['offline', 'online', 'online']);
    s = apply(s, 'dm_create', { ...dm, id: '51' });
    expect(s.dmIds).toEqual(['50', '51']);
  });

  it('ignores events it does not know (a newer server)', () => {
    const s = base();
    const unknown = JSON.parse('{"op":"event","t":"something_new","d":{},"seq":1}');
    expect(reduceEvent(s, unknown)).toEqual({});
  });
});

describe('avatars and icons', () => {
  const base = () => applyReady(initialChatState(), ready());
  const A = 'a'.repeat(64);
  const B = 'b'.repeat(64);

  it('user_ref_update puts the new avatar everywhere the person shows, and takes it away', () => {
    const bob = { user: { id: '2', username: 'bob' }, isOwner: false, permissions: none };
    let s: ChatState = { ...base(), members: { '10': [bob] } };
    s = apply(s, 'user_ref_update', { id: '2', username: 'bob', avatar: A });
    expect(s.users['2']?.avatar).toBe(A);
    expect(s.friends['2']?.avatar).toBe(A);
    expect(s.members['10']?.find((m) => m.user.id === '2')?.user.avatar).toBe(A);
    expect(s.channels['50']?.recipients?.find((u) => u.id === '2')?.avatar).toBe(A);
    s = apply(s, 'user_ref_update', { id: '2', username: 'bob' });
    expect(s.users['2']?.avatar).toBeUndefined();
    expect(s.friends['2']?.avatar).toBeUndefined();
  });

  it('an older ref (a message, a typist) does not undo a newer avatar; an unknown author brings theirs', () => {
    let s = apply(base(), 'user_ref_update', { id: '2', username: 'bob', avatar: A });
    s = apply(s, 'message_create', message('100', '11', { author: { id: '2', username: 'bob' } }));
    s = apply(s, 'typing_start', { channelId: '11', userId: '2', username: 'bob' });
    expect(s.users['2']?.avatar).toBe(A);
    s = apply(s, 'message_create', message('101', '11', { author: { id: '3', username: 'cat', avatar: B } }));
    expect(s.users['3']?.avatar).toBe(B);
  });

  it('user_update shows my own avatar; server_update carries the icon and its removal', () => {
    let s = apply(base(), 'user_update', { ...me, avatar: A });
    expect([s.me?.avatar, s.users['1']?.avatar]).toEqual([A, A]);
    s = apply(s, 'server_update', { id: '10', name: 'Club', ownerId: '1', icon: B });
    expect(s.servers['10']?.icon).toBe(B);
    s = apply(s, 'server_update', { id: '10', name: 'Club', ownerId: '1' });
    expect(s.servers['10']?.icon).toBeUndefined();
  });
});

describe('voice', () => {
  const state = (userId: string, muted: boolean, present = true) => ({
    channelId: '70',
    userId,
    muted,
    deafened: false,
    present,
  });
  const apply = (s: ChatState, e: GatewayEvent): ChatState => ({ ...s, ...reduceEvent(s, e, 0) });

  it('lists who is in each voice channel with mute, from ready and from updates', () => {
    let s = applyReady(initialChatState(), ready({ voiceStates: [state('2', false)] }));
    expect(s.voice['70']).toEqual([{ userId: '2', muted: false, deafened: false }]);
    s = apply(s, event('voice_state_update', state('3', false)));
    s = apply(s, event('voice_state_update', state('3', true)));
    expect(s.voice['70']).toEqual([
      { userId: '2', muted: false, deafened: false },
      { userId: '3', muted: true, deafened: false },
    ]);
    s = apply(s, event('voice_state_update', state('2', false, false)));
    expect(s.voice['70']?.map((m) => m.userId)).toEqual(['3']);
  });

  it('keeps a call from ready and updates until it ends', () => {
    const call = {
      callId: 'c1',
      state: 'ringing' as const,
      caller: { id: '2', username: 'ann' },
      callee: { id: '1', username: 'me' },
      channelId: '90',
      startedAt: null,
    };
    let s = applyReady(initialChatState(), ready({ calls: [call] }));
    expect(s.calls.c1).toEqual(call);
    expect(s.users['2']?.username).toBe('ann');
    const active = { ...call, state: 'active' as const, startedAt: '2026-12-01T10:00:00.000Z' };
    s = apply(s, event('call_update', active));
    expect(s.calls.c1).toEqual(active);
    s = apply(s, event('call_update', { ...active, state: 'ended' }));
    expect(s.calls).toEqual({});
  });
});

describe('unread state', () => {
  const base = (extra: Partial<ReadyData> = {}) => applyReady(initialChatState(), ready(extra));
  const read = (s: ChatState, channelId = '11') => s.readStates[channelId];

  it('takes read states and overrides from ready, and a later ready replaces them', () => {
    const override = { targetId: '10', mode: 'mentions' as const, muted: false, mutedUntil: null };
    let s = base({
      readStates: [{ channelId: '11', lastReadId: '100', lastMessageId: '105', mentionCount: 2 }],
      notificationOverrides: [override],
    });
    expect(read(s)).toEqual({ channelId: '11', lastReadId: '100', lastMessageId: '105', mentionCount: 2 });
    expect(s.notificationOverrides['10']).toEqual(override);
    s = applyReady(s, ready());
    expect(s.readStates).toEqual({});
    expect(s.notificationOverrides).toEqual({});
  });

  it('marks a read channel unread from the message after the last one read, without a mention', () => {
    const s = apply(base(), 'message_create', message('200'));
    expect(read(s)).toEqual({ channelId: '11', lastReadId: '199', lastMessageId: '200', mentionCount: 0 });
  });

  it('counts mentions by name and @everyone, keeping where reading stopped', () => {
    let s = base({
      readStates: [{ channelId: '11', lastReadId: '100', lastMessageId: '150', mentionCount: 0 }],
    });
    s = apply(s, 'message_create', message('200', '11', { mentions: ['1'] }));
    s = apply(s, 'message_create', message('201', '11', { mentionEveryone: 'everyone' }));
    s = apply(s, 'message_create', message('202', '11', { mentions: ['3'] }));
    expect(read(s)).toEqual({ channelId: '11', lastReadId: '100', lastMessageId: '202', mentionCount: 2 });
  });

  it('counts every message of the other person in a DM', () => {
    let s = apply(base(), 'message_create', message('300', '50'));
    s = apply(s, 'message_create', message('301', '50'));
    expect(read(s, '50')).toMatchObject({ lastReadId: '299', lastMessageId: '301', mentionCount: 2 });
  });

  it('counts the record of a call I missed in the DM, as the server does', () => {
    const missed = message('300', '50', { call: { outcome: 'missed', durationSeconds: 0 } });
    expect(read(apply(base(), 'message_create', missed), '50')).toMatchObject({
      lastMessageId: '300',
      mentionCount: 1,
    });
  });

  it('stops counting at MENTION_COUNT_CAP', () => {
    let s = base({
      readStates: [
        { channelId: '50', lastReadId: '1', lastMessageId: '99', mentionCount: MENTION_COUNT_CAP },
      ],
    });
    s = apply(s, 'message_create', message('300', '50'));
    expect(read(s, '50')?.mentionCount).toBe(MENTION_COUNT_CAP);
  });

  it('never marks unread for my own messages, or a message already read or counted', () => {
    const mine = message('200', '11', { author: { id: '1', username: 'me' }, mentions: ['1'] });
    expect(read(apply(base(), 'message_create', mine))).toBeUndefined();
    const myCall = message('201', '50', {
      author: { id: '1', username: 'me' },
      call: { outcome: 'missed', durationSeconds: 0 },
    });
    expect(read(apply(base(), 'message_create', myCall), '50')).toBeUndefined();
    const held = { channelId: '11', lastReadId: '300', lastMessageId: '300', mentionCount: 0 };
    const s = base({ readStates: [held] });
    expect(read(apply(s, 'message_create', message('250', '11', { mentions: ['1'] })))).toEqual(held);
    // The same event twice (a replay after a resume) counts once.
    const once = apply(s, 'message_create', message('301', '11', { mentions: ['1'] }));
    expect(read(apply(once, 'message_create', message('301', '11', { mentions: ['1'] })))?.mentionCount).toBe(
      1,
    );
  });

  it('read_state_update moves forward and never back', () => {
    let s = base({
      readStates: [{ channelId: '11', lastReadId: '100', lastMessageId: '110', mentionCount: 3 }],
    });
    s = apply(s, 'read_state_update', {
      channelId: '11',
      lastReadId: '110',
      lastMessageId: '110',
      mentionCount: 0,
    });
    expect(read(s)).toEqual({ channelId: '11', lastReadId: '110', lastMessageId: '110', mentionCount: 0 });
    const stale = { channelId: '11', lastReadId: '105', lastMessageId: '110', mentionCount: 1 };
    expect(apply(s, 'read_state_update', stale).readStates).toBe(s.readStates);
  });

  it('read_state_update at the same last-read message keeps a newer message seen here unread', () => {
    let s = base({
      readStates: [{ channelId: '11', lastReadId: '110', lastMessageId: '110', mentionCount: 0 }],
    });
    s = apply(s, 'message_create', message('111', '11', { mentions: ['1'] }));
    s = apply(s, 'read_state_update', {
      channelId: '11',
      lastReadId: '110',
      lastMessageId: '110',
      mentionCount: 0,
    });
    expect(read(s)).toEqual({ channelId: '11', lastReadId: '110', lastMessageId: '111', mentionCount: 1 });
  });

  it('laterReadState prefers the state further along', () => {
    const at = (lastReadId: string | null, lastMessageId: string | null) => ({
      channelId: '11',
      lastReadId,
      lastMessageId,
      mentionCount: 0,
    });
    expect(laterReadState(undefined, at('1', '2'))).toEqual(at('1', '2'));
    expect(laterReadState(at(null, '5'), at('3', '5'))).toEqual(at('3', '5'));
    expect(laterReadState(at('3', '5'), at(null, '5'))).toEqual(at('3', '5'));
    // Snowflakes compare as numbers: '10' is after '9'.
    expect(laterReadState(at('9', '10'), at('10', '10'))).toEqual(at('10', '10'));
  });

  it('notification_override_update sets an override and drops one back to default', () => {
    let s = base();
    const muted = { targetId: '11', mode: null, muted: true, mutedUntil: '2026-01-01T01:00:00.000Z' };
    s = apply(s, 'notification_override_update', muted);
    expect(s.notificationOverrides['11']).toEqual(muted);
    s = apply(s, 'notification_override_update', { ...muted, mode: 'none' });
    expect(s.notificationOverrides['11']?.mode).toBe('none');
    s = apply(s, 'notification_override_update', {
      targetId: '11',
      mode: null,
      muted: false,
      mutedUntil: null,
    });
    expect(s.notificationOverrides).toEqual({});
  });

  it('drops the read states of a deleted channel and of a server left', () => {
    const states = [
      { channelId: '11', lastReadId: '1', lastMessageId: '2', mentionCount: 1 },
      { channelId: '50', lastReadId: '1', lastMessageId: '2', mentionCount: 1 },
    ];
    expect(
      Object.keys(
        apply(base({ readStates: states }), 'channel_delete', { id: '11', serverId: '10' }).readStates,
      ),
    ).toEqual(['50']);
    expect(
      Object.keys(apply(base({ readStates: states }), 'server_delete', { id: '10' }).readStates),
    ).toEqual(['50']);
  });
});
