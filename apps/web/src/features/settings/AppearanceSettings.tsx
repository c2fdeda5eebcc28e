import {
  MESSAGE_DISPLAYS,
  type MessageDisplay,
  setMessageDisplay,
  useMessageDisplay,
} from './message-display';

const DISPLAYS: Record<MessageDisplay, { label: string; hint: string }> = {
  cozy: { label: 'Cozy (grouped)', hint: 'Avatar and name once for messages sent in a row.' },
  bubbles: { label: 'Bubbles', hint: 'Your messages on the right in green, others’ on the left in blue.' },
};

/** Settings › Appearance: how messages are laid out (kept in this browser). */
export function AppearanceSettings() {
  const display = useMessageDisplay((s) => s.display);
  return (
    <fieldset className="choice-list">
      <legend>Message display</legend>
      {MESSAGE_DISPLAYS.map((d) => (
        <label key={d} className="choice">
          <input
            type="radio"
            name="message-display"
            value={d}
            checked={display === d}
            onChange={() => setMessageDisplay(d)}
          />
          <span>
            <span className="choice-label">{DISPLAYS[d].label}</span>
            <span className="choice-hint">{DISPLAYS[d].hint}</span>
          </span>
        </label>
      ))}
      <p className="muted">Kept in this browser.</p>
    </fieldset>
  );
}
