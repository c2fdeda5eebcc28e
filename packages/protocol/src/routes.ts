import * as z from 'zod';
import {
  AccountExportSchema,
  ChangeEmailBodySchema,
  ChangeEmailResultSchema,
  ChangePasswordBodySchema,
  ConfirmEmailBodySchema,
  DeleteAccountBodySchema,
  LoginSessionSchema,
  PasswordResetConfirmBodySchema,
  PasswordResetRequestBodySchema,
  SessionParamsSchema,
} from './account.js';
import {
  AdminInviteSchema,
  AdminPasswordResetSchema,
  AdminUserSchema,
  AdminUsersQuerySchema,
  BackupArchiveSchema,
  InstanceInfoSchema,
  InstanceOverviewSchema,
  InviteCodeParamsSchema,
  UpdateAdminUserBodySchema,
} from './admin.js';
import {
  AttachmentSchema,
  FileParamsSchema,
  FileQuerySchema,
  PreviewParamsSchema,
  UploadQuerySchema,
  UploadUsageSchema,
} from './attachments.js';
import { AuthResponseSchema, InviteResponseSchema, LoginBodySchema, SignupBodySchema } from './auth.js';
import { AVATAR_ROUTES } from './avatar-routes.js';
import { IdSchema } from './common.js';
import { MediaProxyQuerySchema, ProxiedMediaSchema } from './embeds.js';
import type { ErrorCode } from './errors.js';
import {
  FriendRequestSchema,
  FriendsSchema,
  SendFriendRequestBodySchema,
  UserSearchQuerySchema,
  UserSearchResultSchema,
} from './friends.js';
import {
  EditMessageBodySchema,
  HistoryQuerySchema,
  MessageSchema,
  SendMessageBodySchema,
} from './messages.js';
import {
  AckBodySchema,
  NotificationOverrideSchema,
  NotificationTargetParamsSchema,
  PushEndpointQuerySchema,
  PushKeySchema,
  PushSubscriptionBodySchema,
  PushSubscriptionSchema,
  ReadStateSchema,
  UpdateNotificationOverrideBodySchema,
} from './notifications.js';
import { PinParamsSchema, PinSchema } from './pins.js';
import {
  MAX_REACTION_EMOJI,
  MAX_REACTORS_PAGE,
  ReactionParamsSchema,
  ReactorsQuerySchema,
} from './reactions.js';
import { SearchQuerySchema, SearchResultsSchema } from './search.js';
import {
  ChannelSchema,
  CreateChannelBodySchema,
  CreateServerBodySchema,
  CreateServerInviteBodySchema,
  JoinServerBodySchema,
  MemberSchema,
  OpenDmBodySchema,
  RenameBodySchema,
  ServerInviteSchema,
  ServerSchema,
  UpdateMemberBodySchema,
} from './servers.js';
import {
  AdminSettingsInputSchema,
  AdminSettingsSchema,
  SmtpTestBodySchema,
  SmtpTestResultSchema,
  UserSettingsSchema,
} from './settings.js';
import { UserProfileSchema, UserRefSchema, UserSchema } from './users.js';
import { IceServersResponseSchema } from './voice.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
/** Who may call a route: anyone, a logged-in user, or an admin. */
export type RouteAuth = 'none' | 'user' | 'admin';

/**
 * One REST operation: method, path (`:name` segments are path parameters), who may call it, what
 * it takes and answers. The server registers exactly these; the SDK's client is made from them, so
 * the two cannot drift; the OpenAPI document is generated from the same schemas.
 */
export interface RouteSpec {
  method: HttpMethod;
  path: string;
  auth: RouteAuth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success status and its body (`z.null()` for 204). */
  status: 200 | 201 | 204;
  response: z.ZodType;
  /** Other non-error answers (health's 503). */
  otherResponses?: Partial<Record<number, z.ZodType>>;
  /** Error codes this route can answer, for the OpenAPI document (defaults by `auth`). */
  errors?: readonly ErrorCode[];
  /** signup and login start a session (the client keeps the token); logout ends it. */
  session?: 'start' | 'end';
  /** The media type of a file answered instead of JSON (the backup); clients get its bytes. */
  download?: string;
  /**
   * The body is a file's raw bytes, any media type, streamed to the handler (never JSON and
   * never buffered); `Content-Length` is required. Clients pass the bytes as `body`.
   */
  upload?: true;
  tags: readonly string[];
  summary: string;
}

const route = <const S extends RouteSpec>(spec: S): S => spec;
const NO_CONTENT = z.null();

export const ServerParamsSchema = z.strictObject({ serverId: IdSchema });
/** `@me` means the caller (leave a server). */
export const MemberParamsSchema = z.strictObject({
  serverId: IdSchema,
  userId: z.union([IdSchema, z.literal('@me')]),
});
export const ChannelParamsSchema = z.strictObject({ channelId: IdSchema });
export const MessageParamsSchema = z.strictObject({ channelId: IdSchema, messageId: IdSchema });
export const FriendRequestParamsSchema = z.strictObject({ requestId: IdSchema });
export const FriendParamsSchema = z.strictObject({ userId: IdSchema });

/** Liveness: the process serves requests (whatever its database is doing). */
export const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

/** Readiness: what this instance needs to serve, each checked within 2 s. */
export const ReadinessSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    database: z.enum(['ok', 'down']),
    /** The Redis bus between instances; `none` for a single instance (no REDIS_URL). */
    bus: z.enum(['ok', 'down', 'none']),
  })
  .meta({ id: 'Readiness' });

/** The REST half of the contract, by operation name (the SDK's method names). */
export const ROUTES = {
  // Accounts
  signup: route({
    method: 'POST',
    path: '/api/auth/signup',
    auth: 'none',
    body: SignupBodySchema,
    status: 201,
    response: AuthResponseSchema,
    errors: ['invalid_input', 'forbidden', 'conflict', 'rate_limited'],
    session: 'start',
    tags: ['auth'],
    summary: 'Create an account (the first needs no invite code and becomes admin)',
  }),
  login: route({
    method: 'POST',
    path: '/api/auth/login',
    auth: 'none',
    body: LoginBodySchema,
    status: 200,
    response: AuthResponseSchema,
    errors: ['invalid_input', 'unauthorized', 'rate_limited'],
    session: 'start',
    tags: ['auth'],
    summary: 'Log in with username and password',
  }),
  logout: route({
    method: 'POST',
    path: '/api/auth/logout',
    auth: 'user',
    status: 204,
    response: NO_CONTENT,
    session: 'end',
    tags: ['auth'],
    summary: 'Revoke this session everywhere (REST and open sockets, which close with 4009)',
  }),
  me: route({
    method: 'GET',
    path: '/api/users/@me',
    auth: 'user',
    status: 200,
    response: UserSchema,
    tags: ['users'],
    summary: 'The logged-in user',
  }),
  createInvite: route({
    method: 'POST',
    path: '/api/invites',
    auth: 'user',
    status: 201,
    response: InviteResponseSchema,
    tags: ['invites'],
    summary: 'Make a single-use signup invite code',
  }),
  requestPasswordReset: route({
    method: 'POST',
    path: '/api/auth/password-reset',
    auth: 'none',
    body: PasswordResetRequestBodySchema,
    status: 204,
    response: NO_CONTENT,
    errors: ['invalid_input', 'rate_limited', 'unavailable'],
    tags: ['auth'],
    summary:
      'Mail a one-hour, single-use reset link to every account with this address. The same answer whether or not one exists; 503 while SMTP is off',
  }),
  confirmPasswordReset: route({
    method: 'POST',
    path: '/api/auth/password-reset/confirm',
    auth: 'none',
    body: PasswordResetConfirmBodySchema,
    status: 204,
    response: NO_CONTENT,
    errors: ['invalid_input', 'forbidden', 'rate_limited'],
    tags: ['auth'],
    summary: "Set a new password with a reset link's token; every session of the account is closed",
  }),
  confirmEmail: route({
    method: 'POST',
    path: '/api/auth/confirm-email',
    auth: 'none',
    body: ConfirmEmailBodySchema,
    status: 204,
    response: NO_CONTENT,
    errors: ['invalid_input', 'forbidden', 'rate_limited'],
    tags: ['auth'],
    summary: 'Confirm a new email address with the token its mail carried',
  }),
  changePassword: route({
    method: 'POST',
    path: '/api/users/@me/password',
    auth: 'user',
    body: ChangePasswordBodySchema,
    status: 204,
    response: NO_CONTENT,
    errors: ['invalid_input', 'unauthorized', 'forbidden', 'rate_limited'],
    tags: ['users'],
    summary: 'Change my password (the current one required); every other session is closed',
  }),
  changeEmail: route({
    method: 'PUT',
    path: '/api/users/@me/email',
    auth: 'user',
    body: ChangeEmailBodySchema,
    status: 200,
    response: ChangeEmailResultSchema,
    errors: ['invalid_input', 'unauthorized', 'forbidden', 'rate_limited'],
    tags: ['users'],
    summary: 'Change or remove my email (password required); confirmed by a mailed link when SMTP is on',
  }),
  listSessions: route({
    method: 'GET',
    path: '/api/users/@me/sessions',
    auth: 'user',
    status: 200,
    response: z.array(LoginSessionSchema),
    tags: ['users'],
    summary: 'My live login sessions, newest activity first',
  }),
  revokeSession: route({
    method: 'DELETE',
    path: '/api/users/@me/sessions/:sessionId',
    auth: 'user',
    params: SessionParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['users'],
    summary: 'Log out one of my sessions (its sockets close with 4009)',
  }),
  revokeOtherSessions: route({
    method: 'DELETE',
    path: '/api/users/@me/sessions',
    auth: 'user',
    status: 204,
    response: NO_CONTENT,
    tags: ['users'],
    summary: 'Log out every session of mine but this one',
  }),
  exportAccount: route({
    method: 'GET',
    path: '/api/users/@me/export',
    auth: 'user',
    status: 200,
    response: AccountExportSchema,
    errors: ['unauthorized', 'rate_limited'],
    tags: ['users'],
    summary:
      'Everything kept about me (profile, settings, servers, friends, DMs, every message I wrote, sessions) as one JSON download; twice a minute at most',
  }),
  deleteAccount: route({
    method: 'POST',
    path: '/api/users/@me/delete',
    auth: 'user',
    body: DeleteAccountBodySchema,
    status: 204,
    response: NO_CONTENT,
    errors: ['invalid_input', 'unauthorized', 'forbidden', 'conflict', 'rate_limited'],
    session: 'end',
    tags: ['users'],
    summary:
      'Delete my account (password required; each owned server handed to a member or deleted). Messages stay, by "Deleted user"',
  }),
  searchUsers: route({
    method: 'GET',
    path: '/api/users/search',
    auth: 'user',
    query: UserSearchQuerySchema,
    status: 200,
    response: z.array(UserSearchResultSchema),
    tags: ['users'],
    summary: 'Users whose name starts with q (case-insensitive), at most 25, never yourself',
  }),
  getUserProfile: route({
    method: 'GET',
    path: '/api/users/:userId/profile',
    auth: 'user',
    params: FriendParamsSchema,
    status: 200,
    response: UserProfileSchema,
    tags: ['users'],
    summary:
      'A profile: name, member since, mutual servers and friends. Only for someone you share a server with, a friend, or a pending request (else 404)',
    errors: ['invalid_input', 'unauthorized', 'not_found', 'rate_limited'],
  }),

  // Servers
  listServers: route({
    method: 'GET',
    path: '/api/servers',
    auth: 'user',
    status: 200,
    response: z.array(ServerSchema),
    tags: ['servers'],
    summary: 'Servers I am a member of',
  }),
  createServer: route({
    method: 'POST',
    path: '/api/servers',
    auth: 'user',
    body: CreateServerBodySchema,
    status: 201,
    response: ServerSchema,
    tags: ['servers'],
    summary: 'Create a server (with a text channel "general" and a voice channel "General")',
  }),
  joinServer: route({
    method: 'POST',
    path: '/api/servers/join',
    auth: 'user',
    body: JoinServerBodySchema,
    status: 200,
    response: ServerSchema,
    tags: ['servers'],
    summary: 'Join a server with an invite code',
  }),
  getServer: route({
    method: 'GET',
    path: '/api/servers/:serverId',
    auth: 'user',
    params: ServerParamsSchema,
    status: 200,
    response: ServerSchema,
    tags: ['servers'],
    summary: 'A server with its channels and my permissions',
  }),
  renameServer: route({
    method: 'PATCH',
    path: '/api/servers/:serverId',
    auth: 'user',
    params: ServerParamsSchema,
    body: RenameBodySchema,
    status: 200,
    response: ServerSchema,
    tags: ['servers'],
    summary: 'Rename a server (owner)',
  }),
  deleteServer: route({
    method: 'DELETE',
    path: '/api/servers/:serverId',
    auth: 'user',
    params: ServerParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['servers'],
    summary: 'Delete a server (owner)',
  }),
  createServerInvite: route({
    method: 'POST',
    path: '/api/servers/:serverId/invites',
    auth: 'user',
    params: ServerParamsSchema,
    body: CreateServerInviteBodySchema.nullish(),
    status: 201,
    response: ServerInviteSchema,
    tags: ['servers'],
    summary: 'Make a server invite (owner): single use unless maxUses (1–100), optional expiresAt (≤ 7 days)',
  }),

  // Members
  listMembers: route({
    method: 'GET',
    path: '/api/servers/:serverId/members',
    auth: 'user',
    params: ServerParamsSchema,
    status: 200,
    response: z.array(MemberSchema),
    tags: ['members'],
    summary: 'Members with owner flag and permissions',
  }),
  updateMember: route({
    method: 'PATCH',
    path: '/api/servers/:serverId/members/:userId',
    auth: 'user',
    params: MemberParamsSchema,
    body: UpdateMemberBodySchema,
    status: 200,
    response: MemberSchema,
    tags: ['members'],
    summary: "Set a member's channel permissions (owner)",
  }),
  removeMember: route({
    method: 'DELETE',
    path: '/api/servers/:serverId/members/:userId',
    auth: 'user',
    params: MemberParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['members'],
    summary: 'Kick a member (owner), or leave with @me',
  }),

  // Channels
  createChannel: route({
    method: 'POST',
    path: '/api/servers/:serverId/channels',
    auth: 'user',
    params: ServerParamsSchema,
    body: CreateChannelBodySchema,
    status: 201,
    response: ChannelSchema,
    tags: ['channels'],
    summary: 'Create a text or voice channel (needs createChannel)',
  }),
  renameChannel: route({
    method: 'PATCH',
    path: '/api/channels/:channelId',
    auth: 'user',
    params: ChannelParamsSchema,
    body: RenameBodySchema,
    status: 200,
    response: ChannelSchema,
    tags: ['channels'],
    summary: 'Rename a channel (needs editChannel)',
  }),
  deleteChannel: route({
    method: 'DELETE',
    path: '/api/channels/:channelId',
    auth: 'user',
    params: ChannelParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['channels'],
    summary: 'Delete a channel (needs deleteChannel)',
  }),

  // Messages
  listMessages: route({
    method: 'GET',
    path: '/api/channels/:channelId/messages',
    auth: 'user',
    params: ChannelParamsSchema,
    query: HistoryQuerySchema,
    status: 200,
    response: z.array(MessageSchema),
    tags: ['messages'],
    summary: 'History: a page of up to `limit` (≤ 100) messages before/after an id, oldest first',
  }),
  searchServerMessages: route({
    method: 'GET',
    path: '/api/servers/:serverId/messages/search',
    auth: 'user',
    params: ServerParamsSchema,
    query: SearchQuerySchema,
    status: 200,
    response: SearchResultsSchema,
    tags: ['messages'],
    summary: 'Search the messages of a server (members only): words plus from:, in:, has:, before:, after:',
  }),
  searchChannelMessages: route({
    method: 'GET',
    path: '/api/channels/:channelId/messages/search',
    auth: 'user',
    params: ChannelParamsSchema,
    query: SearchQuerySchema,
    status: 200,
    response: SearchResultsSchema,
    tags: ['messages'],
    summary: 'Search the messages of one channel you can read (a DM, or a server channel)',
  }),
  sendMessage: route({
    method: 'POST',
    path: '/api/channels/:channelId/messages',
    auth: 'user',
    params: ChannelParamsSchema,
    body: SendMessageBodySchema,
    status: 201,
    response: MessageSchema,
    tags: ['messages'],
    summary: 'Send a message; the same nonce from the same author returns the first message',
  }),
  editMessage: route({
    method: 'PATCH',
    path: '/api/channels/:channelId/messages/:messageId',
    auth: 'user',
    params: MessageParamsSchema,
    body: EditMessageBodySchema,
    status: 200,
    response: MessageSchema,
    tags: ['messages'],
    summary: 'Edit my message',
  }),
  deleteMessage: route({
    method: 'DELETE',
    path: '/api/channels/:channelId/messages/:messageId',
    auth: 'user',
    params: MessageParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['messages'],
    summary: 'Delete a message (its author, or the server owner)',
  }),
  addReaction: route({
    method: 'PUT',
    path: '/api/channels/:channelId/messages/:messageId/reactions/:emoji/@me',
    auth: 'user',
    params: ReactionParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['reactions'],
    summary: `React with one emoji (URL-encoded); again is a no-op; at most ${MAX_REACTION_EMOJI} different emoji per message`,
  }),
  removeReaction: route({
    method: 'DELETE',
    path: '/api/channels/:channelId/messages/:messageId/reactions/:emoji/@me',
    auth: 'user',
    params: ReactionParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['reactions'],
    summary: 'Take my reaction back (a reaction I do not have: a no-op)',
  }),
  listReactors: route({
    method: 'GET',
    path: '/api/channels/:channelId/messages/:messageId/reactions/:emoji',
    auth: 'user',
    params: ReactionParamsSchema,
    query: ReactorsQuerySchema,
    status: 200,
    response: z.array(UserRefSchema),
    tags: ['reactions'],
    summary: `Who reacted with one emoji: up to \`limit\` (≤ ${MAX_REACTORS_PAGE}) people after the id \`after\`, in id order`,
  }),

  // Pins
  listPins: route({
    method: 'GET',
    path: '/api/channels/:channelId/pins',
    auth: 'user',
    params: ChannelParamsSchema,
    status: 200,
    response: z.array(PinSchema),
    tags: ['messages'],
    summary: 'The pinned messages of a channel, newest pin first (at most 50)',
  }),
  pinMessage: route({
    method: 'PUT',
    path: '/api/channels/:channelId/pins/:messageId',
    auth: 'user',
    params: PinParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['messages'],
    summary:
      'Pin a message (the owner or the pinMessages right; both ends of a DM); pinning twice is a no-op',
  }),
  unpinMessage: route({
    method: 'DELETE',
    path: '/api/channels/:channelId/pins/:messageId',
    auth: 'user',
    params: PinParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['messages'],
    summary: 'Unpin a message (the same rights as pinning); unpinning what is not pinned is a no-op',
  }),

  // Read state, notifications, push
  ackChannel: route({
    method: 'POST',
    path: '/api/channels/:channelId/ack',
    auth: 'user',
    params: ChannelParamsSchema,
    body: AckBodySchema,
    status: 200,
    response: ReadStateSchema,
    tags: ['notifications'],
    summary: 'Mark the channel read up to a message (never back; the gateway op `ack` does the same)',
  }),
  getReadState: route({
    method: 'GET',
    path: '/api/channels/:channelId/read-state',
    auth: 'user',
    params: ChannelParamsSchema,
    status: 200,
    response: ReadStateSchema,
    tags: ['notifications'],
    summary: 'My read state of a channel: last read, newest message by someone else, unread mentions',
  }),
  listNotificationOverrides: route({
    method: 'GET',
    path: '/api/users/@me/notification-overrides',
    auth: 'user',
    status: 200,
    response: z.array(NotificationOverrideSchema),
    tags: ['notifications'],
    summary: 'My notification rules per server, channel and DM',
  }),
  updateNotificationOverride: route({
    method: 'PATCH',
    path: '/api/users/@me/notification-overrides/:targetId',
    auth: 'user',
    params: NotificationTargetParamsSchema,
    body: UpdateNotificationOverrideBodySchema,
    status: 200,
    response: NotificationOverrideSchema,
    tags: ['notifications'],
    summary: 'Set the mode or mute (15m, 1h, 8h, forever; null unmutes) of a server, channel or DM of mine',
  }),
  getPushKey: route({
    method: 'GET',
    path: '/api/push/key',
    auth: 'user',
    status: 200,
    response: PushKeySchema,
    tags: ['notifications'],
    summary: "The server's VAPID public key, to subscribe a browser to Web Push",
  }),
  addPushSubscription: route({
    method: 'POST',
    path: '/api/users/@me/push-subscriptions',
    auth: 'user',
    body: PushSubscriptionBodySchema,
    status: 201,
    response: PushSubscriptionSchema,
    tags: ['notifications'],
    summary: "Register this browser's push subscription (the same endpoint again replaces it; 10 per user)",
  }),
  removePushSubscription: route({
    method: 'DELETE',
    path: '/api/users/@me/push-subscriptions',
    auth: 'user',
    query: PushEndpointQuerySchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['notifications'],
    summary: "Forget this browser's push subscription, by its endpoint",
  }),

  // Friends, DMs
  listFriends: route({
    method: 'GET',
    path: '/api/friends',
    auth: 'user',
    status: 200,
    response: FriendsSchema,
    tags: ['friends'],
    summary: 'Your friends and the friend requests waiting on either side',
  }),
  sendFriendRequest: route({
    method: 'POST',
    path: '/api/friends/requests',
    auth: 'user',
    body: SendFriendRequestBodySchema,
    status: 201,
    response: FriendRequestSchema,
    tags: ['friends'],
    summary: 'Ask someone to be friends (if they had already asked you, you become friends at once)',
  }),
  acceptFriendRequest: route({
    method: 'POST',
    path: '/api/friends/requests/:requestId/accept',
    auth: 'user',
    params: FriendRequestParamsSchema,
    status: 200,
    response: UserRefSchema,
    tags: ['friends'],
    summary: 'Accept a friend request you received; answers the new friend',
  }),
  deleteFriendRequest: route({
    method: 'DELETE',
    path: '/api/friends/requests/:requestId',
    auth: 'user',
    params: FriendRequestParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['friends'],
    summary: 'Decline (receiver) or cancel (sender) a friend request',
  }),
  removeFriend: route({
    method: 'DELETE',
    path: '/api/friends/:userId',
    auth: 'user',
    params: FriendParamsSchema,
    status: 204,
    response: NO_CONTENT,
    tags: ['friends'],
    summary: 'Stop being friends with a user',
  }),
  listDms: route({
    method: 'GET',
    path: '/api/dms',
    auth: 'user',
    status: 200,
    response: z.array(ChannelSchema),
    tags: ['dms'],
    summary: 'My direct message channels',
  }),
  openDm: route({
    method: 'POST',
    path: '/api/dms',
    auth: 'user',
    body: OpenDmBodySchema,
    status: 200,
    response: ChannelSchema,
    tags: ['dms'],
    summary: 'The one DM channel with a friend (made on first open; the same one every time)',
  }),

  // Settings, admin, voice, health
  getSettings: route({
    method: 'GET',
    path: '/api/users/@me/settings',
    auth: 'user',
    status: 200,
    response: UserSettingsSchema,
    tags: ['settings'],
    summary: 'My settings (notifications)',
  }),
  putSettings: route({
    method: 'PUT',
    path: '/api/users/@me/settings',
    auth: 'user',
    body: UserSettingsSchema,
    status: 200,
    response: UserSettingsSchema,
    tags: ['settings'],
    summary: 'Replace my settings',
  }),
  getAdminSettings: route({
    method: 'GET',
    path: '/api/admin/settings',
    auth: 'admin',
    status: 200,
    response: AdminSettingsSchema,
    tags: ['admin'],
    summary: 'Instance settings (admin): SMTP (never its password), name and registration, welcome mail',
  }),
  putAdminSettings: route({
    method: 'PUT',
    path: '/api/admin/settings',
    auth: 'admin',
    body: AdminSettingsInputSchema,
    status: 200,
    response: AdminSettingsSchema,
    tags: ['admin'],
    summary: 'Save instance settings (admin). SMTP password: omit to keep, null to clear; stored encrypted',
  }),
  testSmtp: route({
    method: 'POST',
    path: '/api/admin/smtp/test',
    auth: 'admin',
    body: SmtpTestBodySchema.nullish(),
    status: 200,
    response: SmtpTestResultSchema,
    tags: ['admin'],
    summary:
      'Send a test email with the saved SMTP settings or the unsaved ones given (admin); to defaults to my email',
  }),
  adminOverview: route({
    method: 'GET',
    path: '/api/admin/overview',
    auth: 'admin',
    status: 200,
    response: InstanceOverviewSchema,
    tags: ['admin'],
    summary: 'Counts, storage, version and uptime (admin)',
  }),
  adminListUsers: route({
    method: 'GET',
    path: '/api/admin/users',
    auth: 'admin',
    query: AdminUsersQuerySchema,
    status: 200,
    response: z.array(AdminUserSchema),
    tags: ['admin'],
    summary: 'Users by name, a page after `after` (admin); q filters by name prefix or email',
  }),
  adminUpdateUser: route({
    method: 'PATCH',
    path: '/api/admin/users/:userId',
    auth: 'admin',
    params: FriendParamsSchema,
    body: UpdateAdminUserBodySchema,
    status: 200,
    response: AdminUserSchema,
    errors: ['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'conflict'],
    tags: ['admin'],
    summary:
      'Disable (sessions close with 4012, login refused) or enable a user; make or remove an admin (never the last one)',
  }),
  adminDeleteUser: route({
    method: 'DELETE',
    path: '/api/admin/users/:userId',
    auth: 'admin',
    params: FriendParamsSchema,
    status: 204,
    response: NO_CONTENT,
    errors: ['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'conflict'],
    tags: ['admin'],
    summary:
      'Delete a user (admin): messages stay by "Deleted user"; their servers go to the longest-standing member, or are deleted',
  }),
  adminResetPassword: route({
    method: 'POST',
    path: '/api/admin/users/:userId/password-reset',
    auth: 'admin',
    params: FriendParamsSchema,
    status: 200,
    response: AdminPasswordResetSchema,
    errors: ['unauthorized', 'forbidden', 'not_found'],
    tags: ['admin'],
    summary: 'Mail the user a reset link, or (no SMTP or no address) answer the link to hand over',
  }),
  adminBackup: route({
    method: 'POST',
    path: '/api/admin/backup',
    auth: 'admin',
    status: 200,
    response: BackupArchiveSchema,
    download: 'application/gzip',
    errors: ['unauthorized', 'forbidden'],
    tags: ['admin'],
    summary:
      'A consistent backup of the whole instance, streamed as a .tar.gz (admin). It holds the encryption and TLS keys: keep it safe',
  }),
  mediaProxy: route({
    method: 'GET',
    path: '/api/media/proxy',
    auth: 'user',
    query: MediaProxyQuerySchema,
    status: 200,
    response: ProxiedMediaSchema,
    download: 'application/octet-stream',
    errors: ['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'unavailable'],
    tags: ['messages'],
    summary:
      "A picture or video of a link preview, fetched by the server so readers' addresses never reach the linked host (signed URLs only; Range for videos)",
  }),
  adminListInvites: route({
    method: 'GET',
    path: '/api/admin/invites',
    auth: 'admin',
    status: 200,
    response: z.array(AdminInviteSchema),
    tags: ['admin'],
    summary: 'Every unused signup code with its creator, newest first (admin)',
  }),
  adminRevokeInvite: route({
    method: 'DELETE',
    path: '/api/admin/invites/:code',
    auth: 'admin',
    params: InviteCodeParamsSchema,
    status: 204,
    response: NO_CONTENT,
    errors: ['unauthorized', 'forbidden', 'not_found'],
    tags: ['admin'],
    summary: 'Revoke an unused signup code (admin)',
  }),
  // Files
  uploadAttachment: route({
    method: 'POST',
    path: '/api/channels/:channelId/attachments',
    auth: 'user',
    params: ChannelParamsSchema,
    query: UploadQuerySchema,
    upload: true,
    status: 201,
    response: AttachmentSchema,
    errors: ['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'rate_limited'],
    tags: ['files'],
    summary:
      'Upload a file (the body is its bytes, Content-Length required) to send in this channel within an hour: its type is read from the bytes, images lose their metadata',
  }),
  uploadUsage: route({
    method: 'GET',
    path: '/api/attachments/usage',
    auth: 'user',
    status: 200,
    response: UploadUsageSchema,
    tags: ['files'],
    summary: 'What I store, my quota and the largest file the server takes',
  }),
  downloadFile: route({
    method: 'GET',
    path: '/api/files/:attachmentId/:filename',
    auth: 'none',
    params: FileParamsSchema,
    query: FileQuerySchema,
    status: 200,
    response: z.null(),
    download: 'application/octet-stream',
    errors: ['invalid_input', 'not_found'],
    tags: ['files'],
    summary:
      'A file sent in a message, by its signed URL (or the session of someone who can read the channel); Range requests for audio and video',
  }),
  downloadPreview: route({
    method: 'GET',
    path: '/api/previews/:attachmentId',
    auth: 'none',
    params: PreviewParamsSchema,
    query: FileQuerySchema,
    status: 200,
    response: z.null(),
    download: 'image/webp',
    errors: ['invalid_input', 'not_found'],
    tags: ['files'],
    summary: 'An image’s resized preview (WebP), signed like its file',
  }),
  getInstance: route({
    method: 'GET',
    path: '/api/instance',
    auth: 'none',
    status: 200,
    response: InstanceInfoSchema,
    errors: [],
    tags: ['instance'],
    summary: 'The instance name, registration mode, and whether password reset by mail is possible',
  }),
  iceServers: route({
    method: 'GET',
    path: '/api/voice/ice-servers',
    auth: 'user',
    status: 200,
    response: IceServersResponseSchema,
    tags: ['voice'],
    summary: 'STUN/TURN servers for WebRTC (DECENTRA_ICE_SERVERS)',
  }),
  health: route({
    method: 'GET',
    path: '/healthz',
    auth: 'none',
    status: 200,
    response: HealthSchema,
    errors: [],
    tags: ['health'],
    summary:
      'Liveness: 200 while the process serves requests, even with its database away (restart it only when this fails)',
  }),
  ready: route({
    method: 'GET',
    path: '/readyz',
    auth: 'none',
    status: 200,
    response: ReadinessSchema,
    otherResponses: { 503: ReadinessSchema },
    errors: [],
    tags: ['health'],
    summary:
      'Readiness: 200 when the database (and Redis, with REDIS_URL) answer within 2 s, else 503 (send it no traffic)',
  }),
  ...AVATAR_ROUTES,
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;
export const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

type Part<R, K extends string> = R extends { [P in K]: infer S extends z.ZodType }
  ? NonNullable<z.input<S>>
  : unknown;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/**
 * What a caller gives for route `N`: its path parameters, query and body fields in one object
 * (`{channelId, content, nonce}` for sendMessage). No route uses one name twice (a test checks).
 */
export type RouteInput<N extends RouteName> = Simplify<
  Part<Routes[N], 'params'> &
    Part<Routes[N], 'query'> &
    (Routes[N] extends { upload: true } ? UploadInput : Part<Routes[N], 'body'>)
>;
/** An upload route's bytes (a browser's File is a Blob). */
export interface UploadInput {
  body: Blob | Uint8Array;
}
/** What route `N` answers on success (undefined for 204). */
export type RouteOutput<N extends RouteName> = Routes[N]['status'] extends 204
  ? undefined
  : Routes[N] extends { download: string }
    ? Uint8Array
    : z.output<Routes[N]['response']>;
