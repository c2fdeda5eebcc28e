import {
  type AdminSettings,
  renderMailTemplate,
  type SmtpSettingsInput,
  type WelcomeMailSettings,
} from '@decentra/protocol';
import { type FormEvent, useEffect, useState } from 'react';
import { rest } from '../../app/client';
import { useChat } from '../../app/hooks';
import { instanceName, loadInstance, useInstance } from '../../app/instance';
import { errorText } from '../../ui/error-text';

type Smtp = AdminSettings['smtp'];

const SECURITY: Array<[Smtp['security'], string]> = [
  ['starttls', 'STARTTLS'],
  ['tls', 'TLS'],
  ['none', 'None'],
];

/** SMTP (what sends every mail) and the welcome mail, each saved on its own. */
export function AdminEmail() {
  const [settings, setSettings] = useState<AdminSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    rest.getAdminSettings().then(
      (s) => live && setSettings(s),
      (err) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, []);
  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (!settings) return <p role="status">Loading…</p>;
  return (
    <>
      <SmtpForm saved={settings.smtp} onSaved={(smtp) => setSettings({ ...settings, smtp })} />
      <WelcomeForm
        saved={settings.welcome}
        instance={settings.instance.name}
        onSaved={(welcome) => setSettings({ ...settings, welcome })}
      />
    </>
  );
}

function SmtpForm({ saved, onSaved }: { saved: Smtp; onSaved: (smtp: Smtp) => void }) {
  const myEmail = useChat((s) => s.me?.email ?? '');
  const [form, setForm] = useState(() => ({ ...saved, port: String(saved.port) }));
  /** Typed in the password box: replaces the stored one when saved. */
  const [password, setPassword] = useState('');
  /** The stored password is to be removed. */
  const [clearPassword, setClearPassword] = useState(false);
  const [testTo, setTestTo] = useState(myEmail);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [test, setTest] = useState<{ ok: boolean; text: string } | null>(null);

  const set = <K extends keyof typeof form>(key: K, value: (typeof form)[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  /** The form as the contract takes it; the password only when it is to change. */
  const input = (): SmtpSettingsInput => ({
    enabled: form.enabled,
    host: form.host.trim(),
    port: Number(form.port),
    security: form.security,
    username: form.username,
    fromAddress: form.fromAddress.trim(),
    fromName: form.fromName,
    ...(password ? { password } : clearPassword ? { password: null } : {}),
  });

  const hasPassword = password !== '' || (saved.passwordSet && !clearPassword);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const next = await rest.putAdminSettings({ smtp: input() });
      onSaved(next.smtp);
      setForm({ ...next.smtp, port: String(next.smtp.port) });
      setPassword('');
      setClearPassword(false);
      setNotice('Saved.');
      // Whether "Forgot password?" shows on the login page follows SMTP being on.
      void loadInstance();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const sendTest = async () => {
    setBusy(true);
    setError(null);
    setTest(null);
    try {
      const to = testTo.trim();
      const result = await rest.testSmtp({ smtp: input(), ...(to ? { to } : {}) });
      setTest(
        result.ok
          ? { ok: true, text: `Sent to ${to || 'your address'}. Check the inbox.` }
          : { ok: false, text: `Not sent. The mail server said: ${result.error ?? 'no reason given'}` },
      );
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={(e) => void save(e)} aria-labelledby="smtp-heading">
      <h2 id="smtp-heading">Outgoing mail (SMTP)</h2>
      <p className="muted">
        Password reset links, email confirmations and welcome mails go out through this server.
      </p>
      <label className="check">
        <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
        <span>Send mail</span>
      </label>
      <div className="form-grid">
        <label className="field grow">
          <span>SMTP host</span>
          <input
            name="smtp-host"
            autoComplete="off"
            placeholder="smtp.example.org"
            value={form.host}
            onChange={(e) => set('host', e.target.value)}
          />
        </label>
        <label className="field narrow">
          <span>Port</span>
          <input
            name="smtp-port"
            type="number"
            min={1}
            max={65535}
            required
            value={form.port}
            onChange={(e) => set('port', e.target.value)}
          />
        </label>
      </div>
      <fieldset className="radio-group">
        <legend>Security</legend>
        {SECURITY.map(([value, label]) => (
          <label key={value} className="toggle">
            <input
              type="radio"
              name="smtp-security"
              value={value}
              checked={form.security === value}
              onChange={() => set('security', value)}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <div className="form-grid">
        <label className="field grow">
          <span>SMTP username</span>
          <input
            name="smtp-username"
            autoComplete="off"
            value={form.username}
            onChange={(e) => set('username', e.target.value)}
          />
        </label>
        <label className="field grow">
          <span>SMTP password</span>
          <input
            name="smtp-password"
            type="password"
            autoComplete="new-password"
            placeholder={saved.passwordSet && !clearPassword ? '•••• saved — type to replace' : ''}
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              if (e.target.value) setClearPassword(false);
            }}
          />
        </label>
      </div>
      {saved.passwordSet && !password && (
        <div className="form-actions">
          {clearPassword ? (
            <span className="muted small-text">
              The saved password will be removed when you save.{' '}
              <button type="button" className="link-button" onClick={() => setClearPassword(false)}>
                Keep it
              </button>
            </span>
          ) : (
            <button type="button" className="button small secondary" onClick={() => setClearPassword(true)}>
              Clear saved password
            </button>
          )}
        </div>
      )}
      {form.security === 'none' && hasPassword && (
        <p className="form-warning" role="alert">
          With security “None” the login travels in clear: anyone on the way to the mail server can read the
          password. Use STARTTLS or TLS if the mail server offers it.
        </p>
      )}
      <div className="form-grid">
        <label className="field grow">
          <span>From address</span>
          <input
            name="smtp-from-address"
            type="email"
            placeholder="chat@example.org"
            value={form.fromAddress}
            onChange={(e) => set('fromAddress', e.target.value)}
          />
        </label>
        <label className="field grow">
          <span>From name</span>
          <input
            name="smtp-from-name"
            value={form.fromName}
            onChange={(e) => set('fromName', e.target.value)}
          />
        </label>
      </div>
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
      <div className="test-mail">
        <label className="field grow">
          <span>Send a test mail to</span>
          <input
            name="smtp-test-to"
            type="email"
            placeholder="you@example.org"
            value={testTo}
            onChange={(e) => setTestTo(e.target.value)}
          />
        </label>
        <button type="button" className="button secondary" disabled={busy} onClick={() => void sendTest()}>
          Send test mail
        </button>
      </div>
      <p className="muted small-text">The test uses the settings above as they are, saved or not.</p>
      {test && (
        <p className={test.ok ? 'form-notice' : 'form-error'} role="status">
          {test.text}
        </p>
      )}
    </form>
  );
}

function WelcomeForm({
  saved,
  instance,
  onSaved,
}: {
  saved: WelcomeMailSettings;
  instance: string;
  onSaved: (welcome: WelcomeMailSettings) => void;
}) {
  const [form, setForm] = useState(saved);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const liveName = useInstance((s) => s.info && instanceName(s.info));
  const sample = { username: 'newcomer', instance: liveName ?? instance, url: window.location.origin };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const next = await rest.putAdminSettings({ welcome: form });
      onSaved(next.welcome);
      setForm(next.welcome);
      setNotice('Saved.');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="settings-form" onSubmit={(e) => void save(e)} aria-labelledby="welcome-heading">
      <h2 id="welcome-heading">Welcome mail</h2>
      <p className="muted">
        Sent to every new account that gives an email address. {'{username}'}, {'{instance}'} and {'{url}'}{' '}
        are filled in.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={form.enabled}
          onChange={(e) => setForm({ ...form, enabled: e.target.checked })}
        />
        <span>Send a welcome mail</span>
      </label>
      <label className="field">
        <span>Subject</span>
        <input
          name="welcome-subject"
          required
          maxLength={200}
          value={form.subject}
          onChange={(e) => setForm({ ...form, subject: e.target.value })}
        />
      </label>
      <label className="field">
        <span>Text</span>
        <textarea
          name="welcome-text"
          rows={7}
          maxLength={5000}
          value={form.text}
          onChange={(e) => setForm({ ...form, text: e.target.value })}
        />
      </label>
      <section className="mail-preview" aria-label="Preview">
        <h3>Preview, for “{sample.username}”</h3>
        <p className="mail-preview-subject">{renderMailTemplate(form.subject, sample)}</p>
        <p className="mail-preview-text">{renderMailTemplate(form.text, sample)}</p>
      </section>
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
