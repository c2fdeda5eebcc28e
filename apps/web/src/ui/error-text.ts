import { ApiError, GatewayRequestError } from '@decentra/client';

const REASONS: Record<string, string> = {
  invite_required: 'You need an invite code to sign up. Ask someone who already has an account for one.',
  unknown_code: 'That invite code does not exist. Check it for typos.',
  used: 'That invite code has already been used. Ask for a new one.',
  expired: 'That invite code has expired. Ask for a new one.',
  not_server_invite: 'That is a sign-up code, not a server invite.',
  self: 'You cannot add yourself as a friend.',
  already_requested: 'You have already sent this person a friend request.',
  already_friends: 'You are already friends.',
  outgoing_limit: 'You have too many friend requests waiting. Cancel one first.',
};

const FIELD_NAMES: Record<string, string> = {
  username: 'Username',
  password: 'Password',
  email: 'Email',
  inviteCode: 'Invite code',
  name: 'Name',
  content: 'Message',
};

/** A server refusal (or a network failure) in words a person understands. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const details = (err.details ?? {}) as {
      reason?: string;
      issues?: Array<{ path: string; message: string }>;
    };
    if (details.reason && REASONS[details.reason]) return REASONS[details.reason] as string;
    switch (err.code) {
      case 'network':
        return 'Cannot reach the server. Check your connection and try again.';
      case 'rate_limited':
        return `Too many attempts. Try again in ${err.retryAfter ?? 'a few'} seconds.`;
      case 'conflict':
        return (details as { field?: string }).field === 'username'
          ? 'That username is already taken. Pick another one.'
          : err.message;
      case 'invalid_input': {
        const issue = details.issues?.[0];
        if (issue) {
          const field = FIELD_NAMES[issue.path] ?? issue.path;
          return field ? `${field} ${issue.message}.` : `${capitalise(issue.message)}.`;
        }
        return err.message;
      }
      case 'internal':
      case 'unavailable':
        return 'The server had a problem. Try again in a moment.';
      default:
        return err.message;
    }
  }
  if (err instanceof GatewayRequestError) {
    if (err.code === 'disconnected') return 'Not connected. It will be sent when the connection is back.';
    return err.message;
  }
  return err instanceof Error ? err.message : 'Something went wrong.';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
