import { type ReactNode, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AuthPage } from '../features/auth/AuthPage';
import { ConfirmEmailPage } from '../features/auth/ConfirmEmailPage';
import { ForgotPasswordPage } from '../features/auth/ForgotPasswordPage';
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage';
import { NotificationController } from '../features/notifications/NotificationController';
import { SettingsPage } from '../features/settings/SettingsPage';
import { restoreSession, useAuth } from './client';
import { loadInstance } from './instance';
import { Shell } from './Shell';

export function App() {
  const status = useAuth((s) => s.status);
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
  const loggedIn = (element: ReactNode) => (authenticated ? element : <Navigate to="/login" replace />);
  return (
    <BrowserRouter>
      {authenticated && <NotificationController />}
      <Routes>
        <Route
          path="/login"
          element={authenticated ? <Navigate to="/channels/@me" replace /> : <AuthPage />}
        />
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
