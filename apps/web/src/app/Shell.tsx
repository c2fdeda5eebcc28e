import { useEffect, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ChannelSidebar } from '../features/channels/ChannelSidebar';
import { DmSidebar } from '../features/dms/DmSidebar';
import { FriendsView } from '../features/friends/FriendsView';
import { ChatView } from '../features/messages/ChatView';
import { NotificationBanner } from '../features/notifications/NotificationBanner';
import { MemberColumn } from '../features/servers/MemberColumn';
import { useMemberColumn } from '../features/servers/member-column-state';
import { ServerRail } from '../features/servers/ServerRail';
import { CallBar } from '../features/voice/CallBar';
import { IncomingCall } from '../features/voice/IncomingCall';
import { VoiceNotice } from '../features/voice/VoiceNotice';
import { VoicePanel } from '../features/voice/VoicePanel';
import { VoiceRoom } from '../features/voice/VoiceRoom';
import { ConnectionBanner } from '../ui/ConnectionBanner';
import { UserPanel } from '../ui/UserPanel';
import { useChat } from './hooks';
import { MainHeader } from './MainHeader';
import { channelPath, homePath, usePlace } from './routes';
import '../styles/unread.css';

/** Discord's layout: server rail, channel/DM column, the conversation; columns become drawers on phones. */
export function Shell() {
  const place = usePlace();
  const location = useLocation();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const membersShown = useMemberColumn((s) => s.open);
  // Navigating anywhere closes the drawer (phones).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path is the trigger.
  useEffect(() => setDrawerOpen(false), [location.pathname]);
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setDrawerOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  return (
    <div className={`shell${drawerOpen ? ' drawer-open' : ''}`}>
      <ConnectionBanner />
      <div className="nav-columns" id="navigation">
        <ServerRail />
        <aside className="sidebar" aria-label={place.home ? 'Direct messages' : 'Channels'}>
          {place.home ? <DmSidebar /> : <ChannelSidebar serverId={place.serverId ?? ''} />}
          <VoicePanel />
          <UserPanel />
        </aside>
      </div>
      {drawerOpen && (
        <button
          type="button"
          className="drawer-scrim"
          aria-label="Close navigation"
          onClick={() => setDrawerOpen(false)}
        />
      )}
      <main className="main">
        <NotificationBanner />
        <CallBar />
        <VoiceNotice />
        <MainHeader onOpenNavigation={() => setDrawerOpen(true)} />
        <div className="main-body">
          <div className="main-content">
            <MainContent />
          </div>
          {membersShown && place.serverId && <MemberColumn serverId={place.serverId} />}
        </div>
      </main>
      <IncomingCall />
    </div>
  );
}

function MainContent() {
  const { home, serverId, channelId } = usePlace();
  const ready = useChat((s) => s.me !== null);
  const server = useChat((s) => (serverId ? s.servers[serverId] : undefined));
  const channel = useChat((s) => (channelId ? s.channels[channelId] : undefined));
  const firstText = useChat((s) => server?.channelIds.find((id) => s.channels[id]?.type === 'text'));

  if (!ready)
    return (
      <div className="placeholder" role="status">
        Connecting…
      </div>
    );
  if (home) {
    if (!channelId) return <FriendsView />;
    if (!channel) return <Navigate to={homePath} replace />;
    return <ChatView key={channel.id} channelId={channel.id} />;
  }
  if (!server || !serverId) return <Navigate to={homePath} replace />;
  if (!channelId || !channel) {
    if (firstText) return <Navigate to={channelPath(serverId, firstText)} replace />;
    return <div className="placeholder">This server has no text channel yet.</div>;
  }
  if (channel.type === 'voice') return <VoiceRoom key={channel.id} channel={channel} />;
  return <ChatView key={channel.id} channelId={channel.id} />;
}
