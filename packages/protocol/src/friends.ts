import * as z from 'zod';
import { IdSchema, IsoTimeSchema, NO_CONTROL } from './common.js';
import { ImageHashSchema, UserRefSchema } from './users.js';

/** How many friend requests one user may have waiting for an answer at once. */
export const MAX_PENDING_OUTGOING_REQUESTS = 25;
/** Most results one user search answers. */
export const USER_SEARCH_LIMIT = 25;

export const FriendRequestSchema = z
  .object({ id: IdSchema, from: UserRefSchema, to: UserRefSchema, createdAt: IsoTimeSchema })
  .meta({ id: 'FriendRequest' });
export type FriendRequest = z.infer<typeof FriendRequestSchema>;

export const FriendsSchema = z
  .object({
    friends: z.array(UserRefSchema),
    incoming: z.array(FriendRequestSchema),
    outgoing: z.array(FriendRequestSchema),
  })
  .meta({ id: 'Friends' });
export type Friends = z.infer<typeof FriendsSchema>;

const noControlMessage = 'must not contain control characters';

export const SendFriendRequestBodySchema = z
  .strictObject({
    // Any plausible string: a name that cannot exist is simply not found (404), like login's 401.
    username: z.string().min(1).max(64).regex(NO_CONTROL, noControlMessage),
  })
  .meta({ id: 'SendFriendRequestBody' });
export type SendFriendRequestBody = z.infer<typeof SendFriendRequestBodySchema>;

export const RelationshipSchema = z.enum(['friend', 'incoming', 'outgoing', 'none']);
export type Relationship = z.infer<typeof RelationshipSchema>;

export const UserSearchQuerySchema = z.object({
  q: z
    .string()
    .min(1, 'must not be empty')
    .max(32, 'must be at most 32 characters')
    .regex(NO_CONTROL, noControlMessage),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuerySchema>;

export const UserSearchResultSchema = z
  .object({
    id: IdSchema,
    username: z.string(),
    avatar: ImageHashSchema.optional(),
    relationship: RelationshipSchema,
  })
  .meta({ id: 'UserSearchResult' });
export type UserSearchResult = z.infer<typeof UserSearchResultSchema>;

/** Gateway event payloads: `friend_request_create` carries a FriendRequest, `friend_add` a UserRef. */
export const FriendRequestDeleteEventSchema = z.object({ id: IdSchema });
export type FriendRequestDeleteEvent = z.infer<typeof FriendRequestDeleteEventSchema>;
export const FriendRemoveEventSchema = z.object({ userId: IdSchema });
export type FriendRemoveEvent = z.infer<typeof FriendRemoveEventSchema>;
