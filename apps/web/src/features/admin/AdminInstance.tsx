import { type InstanceSettings, REGISTRATION_MODES, type RegistrationMode } from '@decentra/protocol';
import { type FormEvent, useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { updateInstance } from '../../app/instance';
import { errorText } from '../../ui/error-text';

const MODES: Record<RegistrationMode, { label: string; hint: string }> = {
  invite: { label: 'Invite only', hint: 'New people need a sign-up code from someone who has an account.' },
  open: { label: 'Open', hint: 'Anyone who can reach this server can create an account, no code needed.' },
  closed: { label: 'Closed', hint: 'Nobody can create an account; the people here stay among themselves.' },
};

/** The instance's name (login page, tab title, mails) and who may create an account. */
export function AdminInstance() {
  const [form, setForm] = useState<InstanceSettings | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    rest.getAdminSettings().then(
      (s) => live && setForm(s.instance),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  if (!form)
    return error ? (
      <p className="form-error" role="alert">
        {error}
      </p>
    ) : (
      <p role="status">Loading…</p>
    );

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const next = await rest.putAdminSettings({ instance: { ...form, name: form.name.trim() } });
      setForm(next.instance);
      updateInstance({ name: next.instance.name, registration: next.instance.registration });
      setNotice('Saved.');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={(e) => void save(e)} aria-label="Instance settings">
      <label className="field">
        <span>Instance name</span>
        <input
          name="instance-name"
          required
          maxLength={64}
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <small className="hint">Shown on the login page, in the tab title and in every mail.</small>
      </label>
      <fieldset className="choice-list">
        <legend>Registration</legend>
        {REGISTRATION_MODES.map((mode) => (
          <label key={mode} className="choice">
            <input
              type="radio"
              name="registration"
              value={mode}
              checked={form.registration === mode}
              onChange={() => setForm({ ...form, registration: mode })}
              aria-describedby={`registration-${mode}`}
            />
            <span>
              <span className="choice-label">{MODES[mode].label}</span>
              <span id={`registration-${mode}`} className="choice-hint">
                {MODES[mode].hint}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="form-notice" role="status">
          {notice}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}
