import { type ReactNode, useEffect, useRef } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AuthPage } from '../features/auth/AuthPage';
import { ConfirmEmailPage } from '../features/auth/ConfirmEmailPage';
import { ForgotPasswordPage } from '../features/auth/ForgotPasswordPage';
import { InvitePage } from '../features/auth/InvitePage';
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage';
import { NotificationController } from '../features/notifications/NotificationController';
import { SettingsPage } from '../features/settings/SettingsPage';
import { restoreSession, useAuth } from './client';
import { loadInstance } from './instance';
import { loginPathFor, safeReturnPath } from './return-path';
import { Shell } from './Shell';

export function App() {
  const status = useAuth((s) => s.status);
  // A link opened logged out comes back after login; logging out of a page does not.
  const wasLoggedIn = useRef(false);
  useEffect(() => {
    void restoreSession();
    void loadInstance();
  }, []);

  if (status === 'checking') {
    return (
      <div className="splash" role="status">
        Loading…
      </div>
    );
  }
  const authenticated = status === 'authenticated';
  if (authenticated) wasLoggedIn.current = true;
  const loggedIn = (element: ReactNode) =>
    authenticated ? element : <ToLogin comeBack={!wasLoggedIn.current} />;
  return (
    <BrowserRouter>
      {authenticated && <NotificationController />}
      <Routes>
        <Route path="/login" element={authenticated ? <AfterLogin /> : <AuthPage />} />
        {/* An invite link: sign up (or log in) with the code, then the server. */}
        <Route path="/invite/:code" element={<InvitePage />} />
        <Route
          path="/forgot-password"
          element={authenticated ? <Navigate to="/channels/@me" replace /> : <ForgotPasswordPage />}
        />
        {/* Mailed links: they work logged in or out. */}
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route path="/confirm-email" element={<ConfirmEmailPage />} />
        <Route path="/channels/:serverId/:channelId?" element={loggedIn(<Shell />)} />
        <Route path="/settings/:section?" element={loggedIn(<SettingsPage area="settings" />)} />
        <Route path="/admin/:section?" element={loggedIn(<SettingsPage area="admin" />)} />
        <Route path="*" element={<Navigate to={authenticated ? '/channels/@me' : '/login'} replace />} />
      </Routes>
    </BrowserRouter>
  );
}

/** A page that needs a login: to the login page, which comes back here afterwards. */
function ToLogin({ comeBack }: { comeBack: boolean }) {
  const { pathname, search, hash } = useLocation();
  return <Navigate to={comeBack ? loginPathFor(`${pathname}${search}${hash}`) : '/login'} replace />;
}

/** Logged in on /login: the page asked for in `?next=` when it is one of the app's, else home. */
function AfterLogin() {
  const { search } = useLocation();
  return <Navigate to={safeReturnPath(new URLSearchParams(search).get('next')) ?? '/channels/@me'} replace />;
}
