import type { channels, dmChannels, invites, messages, serverMembers, servers, users } from './schema.js';

/** Row types of the tables, shared by the repos that read them and the DTOs that show them. */
export type UserRow = typeof users.$inferSelect;
export type InviteRow = typeof invites.$inferSelect;
export type ServerRow = typeof servers.$inferSelect;
export type MemberRow = typeof serverMembers.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
/** A message as the repos read it: everything but the search lexemes (only SQL matches those). */
export type MessageRow = Omit<typeof messages.$inferSelect, 'searchVector'>;
export type DmRow = typeof dmChannels.$inferSelect;
