/**
 * Where to go after logging in: the app page a logged-out visitor first opened, carried in
 * `/login?next=…`. Only a path of this app on this origin is taken (never `//evil.example`,
 * `/\evil`, `https://…` or `javascript:`), so the parameter cannot become an open redirect.
 */
const APP_PREFIXES = ['/channels/', '/settings', '/admin', '/invite/'];

export function safeReturnPath(next: string | null | undefined): string | undefined {
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\')) return undefined;
  let url: URL;
  try {
    url = new URL(next, 'http://app.invalid');
  } catch {
    return undefined;
  }
  if (url.origin !== 'http://app.invalid') return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return APP_PREFIXES.some((p) => url.pathname === p.replace(/\/$/, '') || url.pathname.startsWith(p))
    ? path
    : undefined;
}

/** The login page's address that comes back to `path` afterwards. */
export function loginPathFor(path: string): string {
  return safeReturnPath(path) ? `/login?next=${encodeURIComponent(path)}` : '/login';
}
