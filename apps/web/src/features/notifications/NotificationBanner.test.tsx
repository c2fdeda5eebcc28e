import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotificationBanner } from './NotificationBanner';
import { type PermissionState, usePermission } from './permission';

afterEach(cleanup);
beforeEach(() => localStorage.clear());

const banner = () => screen.queryByRole('region', { name: 'Desktop notifications' });
const withPermission = (permission: PermissionState) => act(() => usePermission.setState({ permission }));

describe('NotificationBanner', () => {
  it('shows only while the browser has not been asked', () => {
    for (const permission of ['granted', 'denied', 'unsupported'] as const) {
      withPermission(permission);
      render(<NotificationBanner />);
      expect(banner()).toBeNull();
      cleanup();
    }
    withPermission('default');
    render(<NotificationBanner />);
    expect(banner()).not.toBeNull();
  });

  it('Not now hides it, and it stays hidden in this browser', () => {
    withPermission('default');
    render(<NotificationBanner />);
    fireEvent.click(screen.getByRole('button', { name: 'Not now' }));
    expect(banner()).toBeNull();
    cleanup();
    render(<NotificationBanner />);
    expect(banner()).toBeNull();
  });
});
