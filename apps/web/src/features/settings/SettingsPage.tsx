import { useCallback } from 'react';
import { Navigate, useLocation, useNavigate, useParams } from 'react-router';
import { useChat } from '../../app/hooks';
import {
  type AdminSection,
  adminPath,
  returnTarget,
  type SettingsSection,
  settingsPath,
} from '../../app/routes';
import { type NavGroup, SettingsSection as Section, SettingsLayout } from '../../ui/SettingsLayout';
import { AdminEmail } from '../admin/AdminEmail';
import { AdminInstance } from '../admin/AdminInstance';
import { AdminInvites } from '../admin/AdminInvites';
import { AdminOverview } from '../admin/AdminOverview';
import { AdminUsers } from '../admin/AdminUsers';
import { IncomingCall } from '../voice/IncomingCall';
import { VoiceSettings } from '../voice/VoiceSettings';
import { AccountSettings } from './AccountSettings';
import { AppearanceSettings } from './AppearanceSettings';
import { DeleteAccount } from './DeleteAccount';
import { NotificationSettings } from './NotificationSettings';
import { SessionsSettings } from './SessionsSettings';

const SETTINGS: Record<SettingsSection, string> = {
  account: 'My account',
  sessions: 'Sessions',
  notifications: 'Notifications',
  appearance: 'Appearance',
  voice: 'Voice & audio',
  delete: 'Delete account',
};
const ADMIN: Record<AdminSection, string> = {
  overview: 'Overview',
  users: 'Users',
  invites: 'Invites',
  email: 'Email',
  instance: 'Instance',
};

const isSettings = (s: string | undefined): s is SettingsSection => s !== undefined && s in SETTINGS;
const isAdmin = (s: string | undefined): s is AdminSection => s !== undefined && s in ADMIN;

/**
 * User settings (`/settings/:section`) and, for admins, the admin panel (`/admin/:section`): one
 * full page with both in its navigation. Closing goes back to the page it was opened from.
 */
export function SettingsPage({ area }: { area: 'settings' | 'admin' }) {
  const { section } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const me = useChat((s) => s.me);
  const from = returnTarget(location.state);
  const close = useCallback(() => navigate(from), [navigate, from]);

  if (area === 'settings' && !isSettings(section))
    return <Navigate to={settingsPath()} replace state={location.state} />;
  if (area === 'admin' && !isAdmin(section))
    return <Navigate to={adminPath()} replace state={location.state} />;

  const groups: NavGroup[] = [
    {
      label: 'User settings',
      items: Object.entries(SETTINGS).map(([key, label]) => ({
        to: settingsPath(key as SettingsSection),
        label,
      })),
    },
  ];
  if (me?.isAdmin)
    groups.push({
      label: 'Admin panel',
      items: Object.entries(ADMIN).map(([key, label]) => ({ to: adminPath(key as AdminSection), label })),
    });

  return (
    <>
      <SettingsLayout groups={groups} linkState={{ from }} onClose={close}>
        {!me ? (
          <p className="placeholder" role="status">
            Connecting…
          </p>
        ) : area === 'admin' && !me.isAdmin ? (
          <Section title="Admin panel">
            <p>Only admins can open the admin panel.</p>
          </Section>
        ) : (
          <Content section={section} />
        )}
      </SettingsLayout>
      <IncomingCall />
    </>
  );
}

function Content({ section }: { section: string | undefined }) {
  if (isSettings(section))
    return (
      <Section title={SETTINGS[section]}>
        {section === 'account' && <AccountSettings />}
        {section === 'sessions' && <SessionsSettings />}
        {section === 'notifications' && <NotificationSettings />}
        {section === 'appearance' && <AppearanceSettings />}
        {section === 'voice' && <VoiceSettings />}
        {section === 'delete' && <DeleteAccount />}
      </Section>
    );
  if (isAdmin(section))
    return (
      <Section title={ADMIN[section]}>
        {section === 'overview' && <AdminOverview />}
        {section === 'users' && <AdminUsers />}
        {section === 'invites' && <AdminInvites />}
        {section === 'email' && <AdminEmail />}
        {section === 'instance' && <AdminInstance />}
      </Section>
    );
  return null;
}
