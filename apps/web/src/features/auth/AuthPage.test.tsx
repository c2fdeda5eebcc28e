import type { InstanceInfo } from '@decentra/protocol';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useInstance } from '../../app/instance';
import { AuthPage } from './AuthPage';

// The page asks the server on mount; here the test says what the server would have answered.
vi.mock('../../app/instance', async (original) => ({
  ...(await original<typeof import('../../app/instance')>()),
  loadInstance: async () => undefined,
}));

afterEach(() => {
  cleanup();
  useInstance.setState({ info: null });
});

const instance = (info: Partial<InstanceInfo>) =>
  useInstance.setState({
    info: { name: 'Chess Club', registration: 'invite', needsSetup: false, passwordReset: false, ...info },
    settled: true,
  });

const page = () =>
  render(
    <MemoryRouter>
      <AuthPage />
    </MemoryRouter>,
  );

describe('AuthPage', () => {
  it("is titled with the instance's name, and the tab too", () => {
    instance({});
    page();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Chess Club');
    expect(document.title).toBe('Chess Club');
  });

  it('offers "Forgot password?" only when the server can send mail', () => {
    instance({ passwordReset: false });
    const { unmount } = page();
    expect(screen.queryByRole('link', { name: 'Forgot password?' })).toBeNull();
    unmount();
    instance({ passwordReset: true });
    page();
    expect(screen.getByRole('link', { name: 'Forgot password?' }).getAttribute('href')).toBe(
      '/forgot-password',
    );
  });

  it('hides sign-up while registration is closed', () => {
    instance({ registration: 'closed' });
    page();
    expect(screen.queryByRole('button', { name: 'Sign up instead' })).toBeNull();
    expect(screen.getByText('This server is not taking new accounts.')).toBeTruthy();
  });

  it('marks the invite code optional while registration is open', () => {
    instance({ registration: 'open' });
    page();
    fireEvent.click(screen.getByRole('button', { name: 'Sign up instead' }));
    expect(screen.getByLabelText(/^Invite code \(optional\)/)).toBeTruthy();
  });

  it('opens on sign-up for the first admin while nobody has an account', () => {
    instance({ registration: 'closed', needsSetup: true });
    page();
    expect(screen.getByRole('button', { name: 'Sign up' })).toBeTruthy();
    expect(screen.getByText(/Nobody is here yet\. Create the first account/)).toBeTruthy();
    expect(screen.getByLabelText(/^Invite code \(optional\)/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Log in instead' })).toBeTruthy();
  });

  it('asks for an invite code in invite-only mode', () => {
    instance({ registration: 'invite' });
    page();
    fireEvent.click(screen.getByRole('button', { name: 'Sign up instead' }));
    expect(screen.getByLabelText(/^Invite code(?! \()/)).toBeTruthy();
    expect(screen.getByText('Ask someone on this server for one.')).toBeTruthy();
  });
});
