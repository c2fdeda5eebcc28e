import * as z from 'zod';
import { IdSchema, InviteCodeSchema, IsoTimeSchema, NO_CONTROL } from './common.js';
import { ImageHashSchema, UserRefSchema } from './users.js';

/** Names of servers and channels: 1–100 characters once trimmed. */
export const NameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(NO_CONTROL, 'must not contain control characters');

export const PermissionsSchema = z
  .object({
    createChannel: z.boolean(),
    editChannel: z.boolean(),
    deleteChannel: z.boolean(),
    /** `@everyone` and `@here` notify the server (the owner always may). */
    mentionEveryone: z.boolean(),
    /** Pin and unpin messages in the server's channels (the owner always may). */
    pinMessages: z.boolean(),
  })
  .meta({ id: 'Permissions' });
export type Permissions = z.infer<typeof PermissionsSchema>;
export type Permission = keyof Permissions;

export const ChannelTypeSchema = z.enum(['text', 'voice', 'dm']);
export type ChannelType = z.infer<typeof ChannelTypeSchema>;

export const ChannelSchema = z
  .object({
    id: IdSchema,
    serverId: IdSchema.nullable(),
    type: ChannelTypeSchema,
    name: z.string(),
    recipients: z.array(UserRefSchema).optional(),
  })
  .meta({ id: 'Channel' });
export type Channel = z.infer<typeof ChannelSchema>;

export const ServerSchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    ownerId: IdSchema,
    channels: z.array(ChannelSchema),
    myPermissions: PermissionsSchema,
    /** Absent: no icon (clients draw the name's initials). */
    icon: ImageHashSchema.optional(),
  })
  .meta({ id: 'Server' });
export type Server = z.infer<typeof ServerSchema>;

export const MemberSchema = z
  .object({ user: UserRefSchema, isOwner: z.boolean(), permissions: PermissionsSchema })
  .meta({ id: 'Member' });
export type Member = z.infer<typeof MemberSchema>;

export const CreateServerBodySchema = z.strictObject({ name: NameSchema }).meta({ id: 'CreateServerBody' });
export const RenameBodySchema = z.strictObject({ name: NameSchema }).meta({ id: 'RenameBody' });

export const MAX_INVITE_USES = 100;
export const MAX_INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export const CreateServerInviteBodySchema = z
  .strictObject({
    maxUses: z.number().int().min(1).max(MAX_INVITE_USES).optional(),
    expiresAt: IsoTimeSchema.optional(),
  })
  .meta({ id: 'CreateServerInviteBody' });
export type CreateServerInviteBody = z.infer<typeof CreateServerInviteBodySchema>;

export const ServerInviteSchema = z
  .object({
    code: z.string(),
    serverId: IdSchema,
    maxUses: z.number().int(),
    uses: z.number().int(),
    expiresAt: IsoTimeSchema.nullable(),
  })
  .meta({ id: 'ServerInvite' });
export type ServerInvite = z.infer<typeof ServerInviteSchema>;

export const JoinServerBodySchema = z
  .strictObject({ inviteCode: InviteCodeSchema })
  .meta({ id: 'JoinServerBody' });

export const UpdateMemberBodySchema = z
  .strictObject({
    permissions: z.strictObject({
      createChannel: z.boolean().optional(),
      editChannel: z.boolean().optional(),
      deleteChannel: z.boolean().optional(),
      mentionEveryone: z.boolean().optional(),
      pinMessages: z.boolean().optional(),
    }),
  })
  .meta({ id: 'UpdateMemberBody' });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBodySchema>;

export const CreateChannelBodySchema = z
  .strictObject({ name: NameSchema, type: z.enum(['text', 'voice']) })
  .meta({ id: 'CreateChannelBody' });
export type CreateChannelBody = z.infer<typeof CreateChannelBodySchema>;

export const OpenDmBodySchema = z.strictObject({ userId: IdSchema }).meta({ id: 'OpenDmBody' });
