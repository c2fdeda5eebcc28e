import { ApiError, GatewayRequestError } from '@decentra/client';
import { ERROR_DETAILS, type RefusalReason } from '@decentra/protocol';

/** Words for every refusal reason of the contract (a new reason fails the type-check here). */
const REASONS: Record<RefusalReason, string> = {
  invite_required: 'You need an invite code to sign up. Ask someone who already has an account for one.',
  unknown_code: 'That invite code does not exist. Check it for typos.',
  used: 'That invite code has already been used. Ask for a new one.',
  expired: 'That invite code has expired. Ask for a new one.',
  not_server_invite: 'That is a sign-up code, not a server invite.',
  self: 'You cannot add yourself as a friend.',
  own_account:
    'An admin cannot do that to their own account here: ask another admin, or use your account settings.',
  already_requested: 'You have already sent this person a friend request.',
  already_friends: 'You are already friends.',
  outgoing_limit: 'You have too many friend requests waiting. Cancel one first.',
  invite_limit: 'You have many unused invite codes already. Share those first.',
  csrf: 'The request was refused as unsafe. Reload the page and try again.',
  busy: 'They are in another call right now. Try again later.',
  channel_full: 'This voice channel is full.',
  reaction_limit: 'This message already has 20 different reactions. Add to one of those.',
  account_disabled: 'This account has been disabled by an admin of this server.',
  registration_closed: 'This server is not taking new accounts.',
  wrong_password: 'That password is not right.',
  last_admin: 'This is the last admin: make someone else an admin first.',
  owned_servers: 'Choose what happens to each server you own first.',
  pin_limit: 'This channel has 50 pinned messages already. Unpin one first.',
};

const FIELD_NAMES: Record<string, string> = {
  username: 'Username',
  password: 'Password',
  email: 'Email',
  inviteCode: 'Invite code',
  name: 'Name',
  content: 'Message',
  currentPassword: 'Current password',
  newPassword: 'New password',
  token: 'The link',
  to: 'The test mail address',
  'smtp.host': 'SMTP host',
  'smtp.port': 'Port',
  'smtp.username': 'SMTP username',
  'smtp.password': 'SMTP password',
  'smtp.fromAddress': 'From address',
  'smtp.fromName': 'From name',
  'instance.name': 'Instance name',
  'welcome.subject': 'Subject',
  'welcome.text': 'Text',
};

/** A server refusal (or a network failure) in words a person understands. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const reason = err.reason;
    if (reason) return REASONS[reason];
    switch (err.code) {
      case 'network':
        return 'Cannot reach the server. Check your connection and try again.';
      case 'rate_limited':
        return `Too many attempts. Try again in ${waitText(err.retryAfter)}.`;
      case 'conflict':
        return ERROR_DETAILS.conflict.safeParse(err.details).data?.field === 'username'
          ? 'That username is already taken. Pick another one.'
          : err.message;
      case 'invalid_input': {
        const issue = ERROR_DETAILS.invalid_input.safeParse(err.details).data?.issues?.[0];
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

/** "a few seconds", "12 seconds", "3 minutes", "1 hour" (hourly limits answer up to 3600 s). */
function waitText(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return 'a few seconds';
  const s = Math.max(1, Math.ceil(seconds));
  if (s <= 90) return s === 1 ? '1 second' : `${s} seconds`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
