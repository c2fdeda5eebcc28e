import { useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AuthPage } from '../features/auth/AuthPage';
import { restoreSession, useAuth } from './client';
import { Shell } from './Shell';

export function App() {
  const status = useAuth((s) => s.status);
  useEffect(() => {
    void restoreSession();
  }, []);

  if (status === 'checking') {
    return (
      <div className="splash" role="status">
        Loading Decentra…
      </div>
    );
  }
  return (
    <BrowserRouter>
      <Routes>
        <Route
          path="/login"
          element={status === 'authenticated' ? <Navigate to="/channels/@me" replace /> : <AuthPage />}
        />
        <Route
          path="/channels/:serverId/:channelId?"
          element={status === 'authenticated' ? <Shell /> : <Navigate to="/login" replace />}
        />
        <Route
          path="*"
          element={<Navigate to={status === 'authenticated' ? '/channels/@me' : '/login'} replace />}
        />
      </Routes>
    </BrowserRouter>
  );
}
