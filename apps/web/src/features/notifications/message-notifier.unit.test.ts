import { initialChatState } from '@decentra/client';
import {
  type Channel,
  DEFAULT_USER_SETTINGS,
  type Message,
  type NotificationOverride,
  type NotificationSettings,
} from '@decentra/protocol';
import { describe, expect, it } from 'vitest';
import type { Sound } from '../voice/sounds';
import { SOUND_BURST_MS } from './burst-gate';
import type { AlertState, Reader } from './message-alert';
import { MessageNotifier, POPUP_MS, type PopupRequest } from './message-notifier';

const me = { id: '1', username: 'ben', isAdmin: false, createdAt: '2026-01-01T00:00:00.000Z' };
const general: Channel = { id: '11', serverId: '10', type: 'text', name: 'general' };
const random: Channel = { id: '12', serverId: '10', type: 'text', name: 'random' };
const dm: Channel = {
  id: '20',
  serverId: null,
  type: 'dm',
  name: 'ann',
  recipients: [
    { id: '1', username: 'ben' },
    { id: '2', username: 'ann' },
  ],
};
const all = {
  createChannel: true,
  editChannel: true,
  deleteChannel: true,
  mentionEveryone: true,
  pinMessages: true,
};

let nextId = 100;
function message(channelId: string, content: string, extra: Partial<Message> = {}): Message {
  nextId += 1;
  return {
    id: String(nextId),
    channelId,
    author: { id: '2', username: 'ann' },
    content,
    mentions: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    editedAt: null,
    ...extra,
  };
}

/** The notifier with every browser object replaced by a recorder, on a manual clock. */
function setup(
  settings: Partial<NotificationSettings> = {},
  overrides: Record<string, NotificationOverride> = {},
) {
  let clock = 1_000_000;
  const state: AlertState = {
    ...initialChatState(),
    me,
    channels: { '11': general, '12': random, '20': dm },
    servers: { '10': { id: '10', name: 'Club', ownerId: '2', channelIds: ['11', '12'], myPermissions: all } },
    settings: { notifications: { ...DEFAULT_USER_SETTINGS.notifications, ...settings } },
    notificationOverrides: overrides,
  };
  const reader: Reader = { attentive: false, viewing: null };
  const popups: Array<PopupRequest & { closed: boolean }> = [];
  const sounds: Array<{ sound: Sound; volume: number }> = [];
  const opened: string[] = [];
  const timers: Array<{ at: number; run: () => void }> = [];
  const notifier = new MessageNotifier({
    state: () => state,
    reader: () => reader,
    show: (request) => {
      const popup = { ...request, closed: false };
      popups.push(popup);
      return { close: () => (popup.closed = true) };
    },
    playSound: (sound, volume) => sounds.push({ sound, volume }),
    open: (path) => opened.push(path),
    now: () => clock,
    setTimer: (run, ms) => timers.push({ at: clock + ms, run }),
  });
  const advance = (ms: number) => {
    clock += ms;
    for (const t of timers.splice(0)) {
      if (t.at <= clock) t.run();
      else timers.push(t);
    }
  };
  return { notifier, reader, popups, sounds, opened, advance };
}

describe('message popups', () => {
  it('a DM while the page is not seen: the author as title, the text as body, tagged by channel', () => {
    const { notifier, popups } = setup();
    notifier.onMessage(message('20', '  see you at 8  '));
    expect(popups.map(({ title, body, tag, path }) => ({ title, body, tag, path }))).toEqual([
      { title: 'ann', body: 'see you at 8', tag: '20', path: '/channels/@me/20' },
    ]);
  });

  it('a server channel: the title names the channel and the server', () => {
    const { notifier, popups } = setup();
    notifier.onMessage(message('11', 'hello'));
    expect(popups[0]).toMatchObject({ title: 'ann (#general, Club)', path: '/channels/10/11' });
  });

  it('a bare image link reads [image], a long text is cut', () => {
    const { notifier, popups } = setup();
    notifier.onMessage(message('20', 'https://example.org/cat.png'));
    notifier.onMessage(message('20', 'x'.repeat(150)));
    expect(popups.map((p) => p.body)).toEqual(['[image]', `${'x'.repeat(99)}…`]);
  });

  it('the channel being read (seen and on screen) gives nothing; another channel does', () => {
    const { notifier, reader, popups, sounds } = setup();
    reader.attentive = true;
    reader.viewing = '11';
    notifier.onMessage(message('11', 'here'));
    expect(popups).toEqual([]);
    expect(sounds).toEqual([]);
    notifier.onMessage(message('12', 'elsewhere'));
    expect(popups.map((p) => p.body)).toEqual(['elsewhere']);
    expect(sounds).toHaveLength(1);
  });

  it('the channel on screen of a page in the background still notifies', () => {
    const { notifier, reader, popups } = setup();
    reader.viewing = '11';
    notifier.onMessage(message('11', 'while away'));
    expect(popups).toHaveLength(1);
  });

  it('never for my own messages or call records', () => {
    const { notifier, popups, sounds } = setup();
    notifier.onMessage(message('20', 'mine', { author: { id: '1', username: 'ben' } }));
    notifier.onMessage(message('20', '', { call: { outcome: 'missed' } as Message['call'] }));
    expect(popups).toEqual([]);
    expect(sounds).toEqual([]);
  });

  it('mode mentions: a plain channel message is silent, a mention or a DM notifies', () => {
    const { notifier, popups } = setup({ mode: 'mentions' });
    notifier.onMessage(message('11', 'plain'));
    notifier.onMessage(message('11', '@ben look', { mentions: ['1'] }));
    notifier.onMessage(message('20', 'a DM'));
    expect(popups.map((p) => p.body)).toEqual(['@ben look', 'a DM']);
  });

  it('mode none, notifications off, or a muted channel or server: nothing', () => {
    for (const [settings, overrides] of [
      [{ mode: 'none' }, {}],
      [{ enabled: false }, {}],
      [{}, { '11': { targetId: '11', mode: null, muted: true, mutedUntil: null } }],
      [{}, { '10': { targetId: '10', mode: null, muted: true, mutedUntil: null } }],
    ] as const) {
      const { notifier, popups, sounds } = setup(settings, overrides);
      notifier.onMessage(message('11', 'hello'));
      expect(popups).toEqual([]);
      expect(sounds).toEqual([]);
    }
  });

  it('closes by itself after 5 s', () => {
    const { notifier, popups, advance } = setup();
    notifier.onMessage(message('20', 'hi'));
    advance(POPUP_MS - 1);
    expect(popups[0]?.closed).toBe(false);
    advance(1);
    expect(popups[0]?.closed).toBe(true);
  });

  it('a click opens the channel and closes the popup', () => {
    const { notifier, popups, opened } = setup();
    notifier.onMessage(message('11', 'hi'));
    popups[0]?.onClick();
    expect(opened).toEqual(['/channels/10/11']);
    expect(popups[0]?.closed).toBe(true);
  });
});

describe('message sounds', () => {
  it('plays the chosen sound at the chosen volume', () => {
    const { notifier, sounds } = setup({ messageSound: 'chime', volume: 35 });
    notifier.onMessage(message('20', 'hi'));
    expect(sounds).toEqual([{ sound: 'chime', volume: 35 }]);
  });

  it('one sound per burst: none again within 2 s of the last one, then again', () => {
    const { notifier, sounds, popups, advance } = setup();
    notifier.onMessage(message('20', 'one'));
    advance(SOUND_BURST_MS - 1);
    notifier.onMessage(message('11', 'two'));
    advance(1);
    notifier.onMessage(message('20', 'three'));
    expect(popups).toHaveLength(3);
    expect(sounds).toHaveLength(2);
  });

  it('no sound with sounds off or the sound none; the popup still shows', () => {
    for (const settings of [{ sounds: false }, { messageSound: 'none' }] as const) {
      const { notifier, sounds, popups } = setup(settings);
      notifier.onMessage(message('20', 'hi'));
      expect(sounds).toEqual([]);
      expect(popups).toHaveLength(1);
    }
  });

  it('a sound even where the browser shows no popup (no permission)', () => {
    const sounds: Array<{ sound: Sound; volume: number }> = [];
    const silent = new MessageNotifier({
      state: () => ({ ...initialChatState(), me, channels: { '20': dm } }),
      reader: () => ({ attentive: false, viewing: null }),
      show: () => null,
      playSound: (sound, volume) => sounds.push({ sound, volume }),
      open: () => undefined,
      now: () => 0,
      setTimer: () => undefined,
    });
    silent.onMessage(message('20', 'hi'));
    expect(sounds).toEqual([{ sound: 'default', volume: 80 }]);
  });
});
