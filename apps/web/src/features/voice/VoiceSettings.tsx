import { type AudioDevices, createLevelMeter, listDevices } from '@decentra/client/voice';
import { useEffect, useState } from 'react';
import { loadVoicePrefs, saveVoicePrefs, type VoicePrefs } from './device-prefs';
import { microphoneText } from './microphone-text';
import { voice } from './voice-controller';

/**
 * Voice & audio (a section of settings): microphone and its test, speakers, relay-only. The call
 * sound is in Settings → Notifications.
 */
export function VoiceSettings() {
  const [prefs, setPrefs] = useState<VoicePrefs>(loadVoicePrefs);
  const [devices, setDevices] = useState<AudioDevices>({ inputs: [], outputs: [] });
  const [testing, setTesting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canPickOutput = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

  useEffect(() => {
    listDevices()
      .then(setDevices)
      .catch(() => undefined);
  }, []);

  const update = (next: VoicePrefs) => {
    setPrefs(next);
    saveVoicePrefs(next);
  };

  return (
    <div className="voice-settings">
      <label className="field">
        <span>Microphone</span>
        <select
          value={prefs.inputDeviceId ?? ''}
          onChange={(e) => {
            const id = e.target.value || undefined;
            update({ ...prefs, inputDeviceId: id });
            if (id) void voice.setInputDevice(id);
          }}
        >
          <option value="">System default</option>
          {devices.inputs.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || `Microphone ${i + 1}`}
            </option>
          ))}
        </select>
      </label>
      <div className="field">
        <span>Mic test</span>
        {testing ? (
          <MicTest deviceId={prefs.inputDeviceId} onStop={() => setTesting(false)} onError={setError} />
        ) : (
          <button type="button" className="button small secondary" onClick={() => setTesting(true)}>
            Test my microphone
          </button>
        )}
      </div>
      {canPickOutput && (
        <label className="field">
          <span>Speakers</span>
          <select
            value={prefs.outputDeviceId ?? ''}
            onChange={(e) => {
              const id = e.target.value || undefined;
              update({ ...prefs, outputDeviceId: id });
              if (id) void voice.setOutputDevice(id);
            }}
          >
            <option value="">System default</option>
            {devices.outputs.map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || `Speakers ${i + 1}`}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={prefs.relayOnly}
          onChange={(e) => update({ ...prefs, relayOnly: e.target.checked })}
        />
        <span>
          Hide my address from the people I talk to (audio goes through this server's relay; applies from the
          next call)
        </span>
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A live level meter on the chosen microphone, until stopped. */
function MicTest({
  deviceId,
  onStop,
  onError,
}: {
  deviceId: string | undefined;
  onStop: () => void;
  onError: (message: string) => void;
}) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    let stopped = false;
    let meter: Awaited<ReturnType<typeof createLevelMeter>> | null = null;
    let frame = 0;
    createLevelMeter({ deviceId })
      .then((m) => {
        if (stopped) return m.stop();
        meter = m;
        const tick = () => {
          if (!meter) return;
          setLevel(meter.level());
          frame = requestAnimationFrame(tick);
        };
        tick();
      })
      .catch((err: unknown) => {
        onError(microphoneText(err));
        onStop();
      });
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      meter?.stop();
    };
  }, [deviceId, onError, onStop]);
  return (
    <div className="mic-test">
      <meter className="level-meter" min={0} max={1} value={level} aria-label="Microphone level" />
      <button type="button" className="button small secondary" onClick={onStop}>
        Stop test
      </button>
    </div>
  );
}
