import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * A window into what the page shows and plays as notifications, for the notification tests. Before
 * any page script runs, `window.Notification` is wrapped (each popup's title, body and tag are
 * recorded and the real Notification is still made, so a test can click it),
 * `Notification.requestPermission` and `window.focus` count their calls, and Web Audio is watched
 * where the app sets values: an oscillator's frequency (a tone) and a GainNode's gain set through
 * `.value` (the app's volume; envelopes use automation, not `.value`). The product code is unchanged.
 * Given a context, every page of it is watched.
 */
export async function watchNotifications(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    const record: Recorder = { shown: [], made: [], permissionRequests: 0, focusCalls: 0, audio: [] };
    Object.defineProperty(window, '__notificationRecorder', { value: record });

    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        record.shown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
        record.made.push(this);
      }
    }
    const ask = Real.requestPermission.bind(Real);
    Object.defineProperty(Recorded, 'requestPermission', {
      value: (callback?: NotificationPermissionCallback) => {
        record.permissionRequests += 1;
        return ask(callback);
      },
    });
    window.Notification = Recorded;

    const focus = window.focus.bind(window);
    window.focus = () => {
      record.focusCalls += 1;
      focus();
    };

    const kinds = new WeakMap<AudioParam, 'hz' | 'volume'>();
    const createOscillator = BaseAudioContext.prototype.createOscillator;
    BaseAudioContext.prototype.createOscillator = function (this: BaseAudioContext) {
      const node = createOscillator.call(this);
      kinds.set(node.frequency, 'hz');
      return node;
    };
    const createGain = BaseAudioContext.prototype.createGain;
    BaseAudioContext.prototype.createGain = function (this: BaseAudioContext) {
      const node = createGain.call(this);
      kinds.set(node.gain, 'volume');
      return node;
    };
    const value = Object.getOwnPropertyDescriptor(AudioParam.prototype, 'value');
    const set = value?.set;
    if (value && set)
      Object.defineProperty(AudioParam.prototype, 'value', {
        ...value,
        set(this: AudioParam, v: number) {
          const kind = kinds.get(this);
          if (kind) record.audio.push({ kind, value: v });
          set.call(this, v);
        },
      });
  });
}

interface Recorder {
  shown: ShownNotification[];
  made: Notification[];
  permissionRequests: number;
  focusCalls: number;
  audio: Array<{ kind: 'hz' | 'volume'; value: number }>;
}

export interface ShownNotification {
  title: string;
  body: string;
  tag: string;
}

/** One sound the page played: its volume (0..1, the app's GainNode) and the frequencies of its tones. */
export interface PlayedSound {
  volume: number;
  hz: number[];
}

/** The popups the page made, in order. */
export function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(() => {
    const record: Recorder = Reflect.get(window, '__notificationRecorder');
    return [...record.shown];
  });
}

/** The sounds the page played, in order: each starts with its volume, then its tones. */
export function playedSounds(page: Page): Promise<PlayedSound[]> {
  return page.evaluate(() => {
    const record: Recorder = Reflect.get(window, '__notificationRecorder');
    const sounds: PlayedSound[] = [];
    for (const { kind, value } of record.audio) {
      if (kind === 'volume') sounds.push({ volume: value, hz: [] });
      else sounds.at(-1)?.hz.push(value);
    }
    return sounds;
  });
}

/** How often the page called Notification.requestPermission and window.focus. */
export function calls(page: Page): Promise<{ permissionRequests: number; focusCalls: number }> {
  return page.evaluate(() => {
    const record: Recorder = Reflect.get(window, '__notificationRecorder');
    return { permissionRequests: record.permissionRequests, focusCalls: record.focusCalls };
  });
}

/** Forgets what was recorded so far (popups and sounds), so that a step counts its own. */
export function clearRecorded(page: Page): Promise<void> {
  return page.evaluate(() => {
    const record: Recorder = Reflect.get(window, '__notificationRecorder');
    record.shown.length = 0;
    record.made.length = 0;
    record.audio.length = 0;
  });
}

/** Clicks the newest popup as the system would: a click event on the real Notification object. */
export function clickNewestNotification(page: Page): Promise<void> {
  return page.evaluate(() => {
    const record: Recorder = Reflect.get(window, '__notificationRecorder');
    const newest = record.made.at(-1);
    if (!newest) throw new Error('no notification to click');
    newest.dispatchEvent(new Event('click'));
  });
}

/**
 * Takes the focus from the page (or gives it back). Playwright tells every page it has the focus
 * (CDP focus emulation); in headless Chromium a page keeps the real focus too while its window is
 * the active one, whatever page is brought to the front. So: the page's window is minimised (no
 * visibility change in headless Chromium: the page stays `visible`), and with focus emulation off
 * the page gets a real `blur` and `document.hasFocus()` answers false. Giving it back turns the
 * emulation on again (a real `focus`). Checked in the page either way.
 */
export async function setFocused(page: Page, cdp: CDPSession, focused: boolean): Promise<void> {
  if (!focused) {
    const { windowId } = await cdp.send('Browser.getWindowForTarget');
    await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'minimized' } });
  }
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: focused });
  await page.waitForFunction((want) => document.hasFocus() === want, focused, { polling: 100 });
}

/**
 * Delivers a push to the page's service worker as a push service would (CDP
 * ServiceWorker.deliverPushMessage: headless Chromium has no push service to subscribe to).
 */
export async function deliverPush(cdp: CDPSession, origin: string, data: unknown): Promise<void> {
  const scope = `${origin}/`;
  const found = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const registration = registrations.find((r) => r.scopeURL === scope && !r.isDeleted);
      if (registration) resolve(registration.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const registrationId = await found;
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: scope,
    registrationId,
    data: JSON.stringify(data),
  });
}

/** The notifications the page's service worker shows: title, body, tag and the path a click opens. */
export function workerNotifications(page: Page): Promise<Array<ShownNotification & { url: unknown }>> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration('/');
    const shown = (await registration?.getNotifications()) ?? [];
    return shown.map((n) => {
      const data: unknown = n.data;
      return {
        title: n.title,
        body: n.body,
        tag: n.tag,
        url: typeof data === 'object' && data !== null && 'url' in data ? data.url : undefined,
      };
    });
  });
}

/** The script URL of the page's active service worker for scope /, if one is registered. */
export function workerScript(page: Page): Promise<string | null> {
  return page.evaluate(
    async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL ?? null,
  );
}

/**
 * Leaves the notification permission of the page's profile unanswered ("prompt", Notification.permission
 * `default`), as in a browser that was never asked: headless Chromium answers `denied` otherwise.
 */
export async function permissionUnanswered(page: Page, origin: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  await cdp.send('Browser.setPermission', {
    permission: { name: 'notifications' },
    setting: 'prompt',
    origin,
    browserContextId: targetInfo.browserContextId,
  });
  await cdp.detach();
}

/**
 * Clicks the newest notification of the context's service worker as the system would: a
 * `notificationclick` event in the worker for it. (A script string: the worker's globals are not
 * in the tests' DOM typings. The event is not trusted, so its waitUntil throws inside the worker
 * after the handler has started the work; the page side is what the step checks.)
 */
export async function clickWorkerNotification(context: BrowserContext, origin: string): Promise<void> {
  const worker = context.serviceWorkers().find((w) => w.url() === `${origin}/sw.js`);
  if (!worker) throw new Error('no service worker in this browser');
  await worker.evaluate(`(async () => {
    const shown = await self.registration.getNotifications();
    if (shown.length === 0) throw new Error('no notification shown');
    self.dispatchEvent(new NotificationEvent('notificationclick', { notification: shown[shown.length - 1] }));
  })()`);
}
