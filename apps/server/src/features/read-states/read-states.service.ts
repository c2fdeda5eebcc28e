import {
  MUTE_DURATIONS,
  type NotificationOverride,
  type ReadState,
  type UpdateNotificationOverrideBody,
} from '@decentra/protocol';
import { invalidInput, notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { dispatch, toUsers } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import { ReadBatch } from '../../kernel/read-batch.js';
import { type Db, readBatching } from '../../storage/db.js';
import type { AccessService } from '../access/access.service.js';
import {
  advanceReadState,
  deleteOverride,
  findOverride,
  forgetChannelRows,
  forgetMemberRows,
  forgetServerRows,
  forgetUserRows,
  type OverrideJson,
  type OverrideRow,
  type ReadStateRow,
  type ReadyReadStates,
  readStateOf,
  readyReadStates,
  targetKind,
  visibleOverrides,
  writeOverride,
} from './read-states.repo.js';

export interface ReadStatesDeps {
  db: Db;
  access: AccessService;
  /** The app's clock: mutes end on it (tests move it by hand). */
  now: () => Date;
}

const toReadState = (row: ReadStateRow): ReadState => ({
  channelId: row.channel_id,
  lastReadId: row.last_read_id,
  lastMessageId: row.last_message_id,
  mentionCount: row.mention_count,
});

/** A mute that has run out reads as no mute. */
function effectiveMute(row: Pick<OverrideRow, 'muted' | 'mutedUntil'>, now: Date) {
  const holds = row.muted && (row.mutedUntil === null || row.mutedUntil.getTime() > now.getTime());
  return holds ? { muted: true, mutedUntil: row.mutedUntil } : { muted: false, mutedUntil: null };
}

function toOverride(
  row: Pick<OverrideRow, 'mode' | 'muted' | 'mutedUntil'> & { targetId: bigint | string },
  now: Date,
) {
  const mute = effectiveMute(row, now);
  const override: NotificationOverride = {
    targetId: row.targetId.toString(),
    mode: row.mode,
    muted: mute.muted,
    mutedUntil: mute.mutedUntil?.toISOString() ?? null,
  };
  return override;
}

/** An override that changes nothing (mode inherited, not muted) is not kept. */
const isEmpty = (o: NotificationOverride) => o.mode === null && !o.muted;

/**
 * Read state (how far each user has read each channel, their unread mentions) and each user's
 * notification overrides per server, channel and DM.
 */
export class ReadStatesService {
  /** The `ready`s built in one turn (a reconnect storm) read their read states in one statement. */
  private readonly readyBatch: ReadBatch<bigint, ReadyReadStates | undefined>;

  constructor(private readonly deps: ReadStatesDeps) {
    this.readyBatch = new ReadBatch(
      (userIds) => readyReadStates(deps.db, userIds),
      () => undefined,
      readBatching(deps.db),
    );
  }

  /**
   * Marks the channel read up to `messageId` (clamped to its newest message, never back) and
   * answers the state that follows; the user's every session hears it when the mark moved.
   */
  async ack(tx: Db, actor: Actor, channelId: bigint, messageId: bigint): Promise<Outcome<ReadState>> {
    // Locked: a kick or a channel deletion waits for this ack, so no row outlives them.
    const isDm = await this.readable(tx, channelId, actor.id, 'channel too');
    const moved = await advanceReadState(tx, actor.id, channelId, messageId, this.deps.now());
    const state = toReadState(await readStateOf(tx, actor.id, channelId, isDm));
    return outcome(state, moved ? [dispatch('read_state_update', state, toUsers(actor.id))] : []);
  }

  async state(userId: bigint, channelId: bigint): Promise<ReadState> {
    const isDm = await this.readable(this.deps.db, channelId, userId);
    return toReadState(await readStateOf(this.deps.db, userId, channelId, isDm));
  }

  /**
   * `ready`'s part, in one statement shared with the other `ready`s of the turn: every channel of
   * the user's with something unread, and the user's overrides of targets they can still see
   * (run-out mutes read as none).
   */
  async readyPart(
    userId: bigint,
  ): Promise<{ readStates: ReadState[]; notificationOverrides: NotificationOverride[] }> {
    const part = await this.readyBatch.load(userId);
    if (!part) throw new Error('the ready read-state query answered no row for the user');
    const { states, overrides } = part;
    return { readStates: states, notificationOverrides: this.effective(overrides) };
  }

  /** The user's overrides of targets they can still see; run-out mutes read as none. */
  async overrides(userId: bigint): Promise<NotificationOverride[]> {
    return this.effective(await visibleOverrides(this.deps.db, userId));
  }

  /**
   * Changes the user's override of a server they are in, a text channel of one, or a DM of theirs:
   * a field left out stays, `mode: null` inherits, `mute: null` unmutes, a duration mutes until then
   * on the app's clock, `forever` until unmuted. An override left with nothing in it is deleted.
   */
  async updateOverride(
    tx: Db,
    actor: Actor,
    targetId: bigint,
    body: UpdateNotificationOverrideBody,
  ): Promise<Outcome<NotificationOverride>> {
    await this.requireTarget(tx, targetId, actor.id);
    const now = this.deps.now();
    const existing = await findOverride(tx, actor.id, targetId);
    const before = existing ? effectiveMute(existing, now) : { muted: false, mutedUntil: null };
    const mode = body.mode === undefined ? (existing?.mode ?? null) : body.mode;
    const mute =
      body.mute === undefined
        ? before
        : body.mute === null
          ? { muted: false, mutedUntil: null }
          : body.mute === 'forever'
            ? { muted: true, mutedUntil: null }
            : { muted: true, mutedUntil: new Date(now.getTime() + MUTE_DURATIONS[body.mute]) };
    const next = toOverride({ targetId, mode, ...mute }, now);
    if (isEmpty(next)) {
      if (existing) await deleteOverride(tx, actor.id, targetId);
    } else {
      await this.write(tx, actor.id, targetId, mode, mute, now);
    }
    return outcome(next, [dispatch('notification_override_update', next, toUsers(actor.id))]);
  }

  /** Listener of members.onRemoved: a member gone forgets the server's read states and overrides. */
  readonly forgetMember = (serverId: bigint, userId: bigint): Outcome<void> =>
    this.followUp(() => forgetMemberRows(this.deps.db, serverId, userId));

  /** Listener of servers.onDeleted: everyone's overrides of the server and its channels go. */
  readonly forgetServer = (serverId: bigint): Outcome<void> =>
    this.followUp(() => forgetServerRows(this.deps.db, serverId));

  /** Listener of channels.onDeleted: everyone's overrides of the channel go. */
  readonly forgetChannel = (_serverId: bigint, channelId: bigint): Outcome<void> =>
    this.followUp(() => forgetChannelRows(this.deps.db, channelId));

  /** An account being deleted, in its transaction: its read states, overrides and mentions go. */
  async forgetUser(tx: Db, userId: bigint): Promise<Outcome<void>> {
    await forgetUserRows(tx, userId);
    return outcome(undefined);
  }

  /**
   * The listeners are told inside the removing transaction but are not handed it (and on the
   * embedded engine that transaction holds the one connection), so the rows go in a follow-up, the
   * moment it has committed. Meanwhile nothing shows them: every read checks that the user can
   * still see the target.
   */
  private effective(overrides: OverrideJson[]): NotificationOverride[] {
    const now = this.deps.now();
    return overrides
      .map((o) =>
        toOverride({ ...o, mutedUntil: o.mutedUntil === null ? null : new Date(o.mutedUntil) }, now),
      )
      .filter((o) => !isEmpty(o));
  }

  private followUp(forget: () => Promise<void>): Outcome<void> {
    const after = async () => {
      await forget();
      return outcome(undefined);
    };
    return outcome(undefined, [], [after]);
  }

  private async write(
    tx: Db,
    userId: bigint,
    targetId: bigint,
    mode: OverrideRow['mode'],
    mute: { muted: boolean; mutedUntil: Date | null },
    now: Date,
  ): Promise<void> {
    await writeOverride(tx, { userId, targetId, mode, ...mute, updatedAt: now });
  }

  /** Read access to a channel with a read state: true for a DM; a voice channel has none. */
  private async readable(
    db: Db,
    channelId: bigint,
    userId: bigint,
    lock: boolean | 'channel too' = false,
  ): Promise<boolean> {
    const standing = await this.deps.access.channel(db, channelId, userId, lock);
    if (standing.channel.type === 'voice') throw invalidInput('Voice channels have no read state.');
    return standing.dmEnds !== undefined;
  }

  /** A server the user is in, a text channel of one, or a DM of theirs; anything else is 404. */
  private async requireTarget(tx: Db, targetId: bigint, userId: bigint): Promise<void> {
    const kind = await targetKind(tx, targetId);
    if (kind === 'server') await this.deps.access.server(tx, targetId, userId, true);
    else if (kind === 'channel') {
      const standing = await this.deps.access.channel(tx, targetId, userId, 'channel too');
      if (standing.channel.type === 'voice') {
        throw invalidInput('Voice channels have no notifications of their own.');
      }
    } else throw notFound('No such server or channel.');
  }
}
