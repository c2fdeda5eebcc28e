import { type ReactNode, useEffect } from 'react';
import { NavLink } from 'react-router';
import { Icon } from './Icon';

export interface NavGroup {
  label: string;
  items: Array<{ to: string; label: string }>;
}

interface SettingsLayoutProps {
  groups: NavGroup[];
  /** Handed to every link, so that the page to go back to survives moving between sections. */
  linkState: unknown;
  onClose: () => void;
  children: ReactNode;
}

/**
 * A full page over the app (Discord's settings): sections on the left, the open one on the right,
 * a close button and Escape to go back to where the user was.
 */
export function SettingsLayout({ groups, linkState, onClose, children }: SettingsLayoutProps) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A dialog open above the page takes its own Escape.
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div className="settings-page">
      <nav className="settings-nav" aria-label="Settings">
        {groups.map((group) => (
          <div key={group.label} className="settings-nav-group">
            <h2 className="settings-nav-title">{group.label}</h2>
            <ul>
              {group.items.map((item) => (
                <li key={item.to}>
                  <NavLink
                    to={item.to}
                    state={linkState}
                    replace
                    className={({ isActive }) => `settings-nav-link${isActive ? ' active' : ''}`}
                  >
                    {item.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main className="settings-content">
        <div className="settings-content-inner">{children}</div>
        <div className="settings-close">
          <button type="button" className="icon-button" aria-label="Close settings" onClick={onClose}>
            <Icon name="close" size={22} />
          </button>
          <span aria-hidden="true">ESC</span>
        </div>
      </main>
    </div>
  );
}

/** One section of a settings page: its heading names it (a region for assistive technology). */
export function SettingsSection({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="settings-pane" aria-labelledby={id}>
      <h1 id={id}>{title}</h1>
      {children}
    </section>
  );
}
