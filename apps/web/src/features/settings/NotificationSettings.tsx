import {
  type NotificationMode,
  NotificationModeSchema,
  type NotificationSettings as Settings,
  SOUNDS,
} from '@decentra/protocol';
import { useCallback, useEffect, useState } from 'react';
import { chat } from '../../app/client';
import { useChat } from '../../app/hooks';
import { errorText } from '../../ui/error-text';
import { PushSetting } from '../notifications/PushSetting';
import { type PermissionState, requestPermission, usePermission } from '../notifications/permission';
import { playSound, type Sound, type SoundKind } from '../voice/sounds';
import '../notifications/notifications.css';
import { SaveQueue } from './save-queue';

const MODES: Record<NotificationMode, { label: string; hint: string }> = {
  all: { label: 'All messages', hint: 'Every message in the servers and DMs you are in.' },
  mentions: {
    label: 'Only mentions',
    hint: 'Messages that mention you (@name, @everyone) and direct messages.',
  },
  none: { label: 'Nothing', hint: 'No popups and no message sounds; calls still ring.' },
};

const SOUND_NAMES: Record<SoundKind, Record<Sound, string>> = {
  message: { default: 'Blip', chime: 'Chime', bell: 'Bell', pop: 'Pop', none: 'No sound' },
  call: { default: 'Classic ring', chime: 'Chime', bell: 'Bell', pop: 'Pop', none: 'No sound' },
};

const PERMISSION_TEXT: Record<PermissionState, string> = {
  granted: 'This browser shows Decentra’s notifications.',
  denied: 'This browser blocks Decentra’s notifications: allow them in its site settings.',
  default: 'This browser has not been asked yet.',
  unsupported: 'This browser cannot show desktop notifications.',
};

/** Volume changes are saved once the slider rests this long. */
const VOLUME_SAVE_MS = 400;

/** Saves a change of my notification settings with the rest of my settings as they are. */
function saveNotifications(change: Partial<Settings>): Promise<void> {
  const s = chat().store.getState().settings;
  return chat().saveSettings({ ...s, notifications: { ...s.notifications, ...change } });
}

/**
 * Settings → Notifications: whether messages notify at all and which (all, mentions, nothing), the
 * message and call sounds with a test button each, the volume, and push for when Decentra is
 * closed. Saved with the account (settings_update keeps the other tabs in step).
 */
export function NotificationSettings() {
  const saved = useChat((s) => s.settings.notifications);
  // Changes show at once and stay shown until the server's answer replaces them (SaveQueue).
  const [pending, setPending] = useState<Partial<Settings>>({});
  const [volume, setVolume] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const permission = usePermission((s) => s.permission);
  const shown: Settings = { ...saved, ...pending, ...(volume === null ? {} : { volume }) };

  const [queue] = useState(
    () => new SaveQueue<Settings>(saveNotifications, setPending, (err) => setError(errorText(err))),
  );
  const save = useCallback(
    (change: Partial<Settings>) => {
      setError(null);
      void queue.save(change);
    },
    [queue],
  );

  useEffect(() => {
    if (volume === null) return;
    const timer = setTimeout(() => {
      save({ volume });
      setVolume(null);
    }, VOLUME_SAVE_MS);
    return () => clearTimeout(timer);
  }, [volume, save]);

  return (
    <div className="notification-settings">
      <div className="switch-setting">
        <label className="check">
          <input
            type="checkbox"
            role="switch"
            aria-checked={shown.enabled}
            checked={shown.enabled}
            onChange={(e) => save({ enabled: e.target.checked })}
          />
          <span>Desktop notifications and message sounds</span>
        </label>
        <div className="permission-line">
          <span>{PERMISSION_TEXT[permission]}</span>
          {permission === 'default' && (
            <button type="button" className="button small" onClick={() => void requestPermission()}>
              Allow
            </button>
          )}
        </div>
      </div>
      <fieldset className="choice-list">
        <legend>Notify me of</legend>
        {NotificationModeSchema.options.map((mode) => (
          <label key={mode} className="choice">
            <input
              type="radio"
              name="notification-mode"
              value={mode}
              checked={shown.mode === mode}
              onChange={() => save({ mode })}
            />
            <span>
              <span className="choice-label">{MODES[mode].label}</span>
              <span className="choice-hint">{MODES[mode].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={shown.sounds} onChange={(e) => save({ sounds: e.target.checked })} />
        <span>Play sounds</span>
      </label>
      <SoundChoice
        kind="message"
        label="Message sound"
        settings={shown}
        onChange={(messageSound) => save({ messageSound })}
      />
      <SoundChoice
        kind="call"
        label="Call sound"
        settings={shown}
        onChange={(callSound) => save({ callSound })}
      />
      <label className="field">
        <span>Volume</span>
        <span className="volume-row">
          <input
            type="range"
            min={0}
            max={100}
            step={5}
            value={shown.volume}
            onChange={(e) => setVolume(Number(e.target.value))}
          />
          <output>{shown.volume}%</output>
        </span>
      </label>
      <PushSetting />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function SoundChoice({
  kind,
  label,
  settings,
  onChange,
}: {
  kind: SoundKind;
  label: string;
  settings: Settings;
  onChange: (sound: Sound) => void;
}) {
  const value = kind === 'message' ? settings.messageSound : settings.callSound;
  return (
    <div className="field">
      <label htmlFor={`${kind}-sound`}>{label}</label>
      <div className="sound-row">
        <select
          id={`${kind}-sound`}
          value={value}
          onChange={(e) => {
            const sound = SOUNDS.find((s) => s === e.target.value);
            if (sound) onChange(sound);
          }}
        >
          {SOUNDS.map((s) => (
            <option key={s} value={s}>
              {SOUND_NAMES[kind][s]}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button small secondary"
          aria-label={`Play ${label.toLowerCase()}`}
          disabled={value === 'none'}
          onClick={() => playSound(value, kind, settings.volume)}
        >
          Play
        </button>
      </div>
    </div>
  );
}
