import { MAX_PINS_PER_CHANNEL, type Message, type Pin } from '@decentra/protocol';
import { forbidden, invalidInput, notFound } from '../../infra/errors.js';
import type { Actor } from '../../kernel/actor.js';
import { dispatch } from '../../kernel/events.js';
import { type Outcome, outcome } from '../../kernel/outcome.js';
import type { Db } from '../../storage/db.js';
import type { ChannelAccess } from '../access/access.policy.js';
import type { AccessService } from '../access/access.service.js';
import { toUserRef } from '../accounts/user-dto.js';
import { deletePin, insertPin, lockChannelPins, pinState, pinsOf } from './pins.repo.js';

/** How the pins list gets its messages (the messages feature's history view of them). */
export type MessagesByIds = (channelId: bigint, ids: bigint[], viewerId: bigint) => Promise<Message[]>;

export interface PinsDeps {
  db: Db;
  access: AccessService;
  messagesByIds: MessagesByIds;
  now?: () => Date;
}

/**
 * Pins per channel: in a server channel the owner and members holding `pinMessages` pin and unpin;
 * in a DM both ends may. Anyone who reads the channel reads its pins.
 */
export class PinsService {
  private readonly now: () => Date;

  constructor(private readonly deps: PinsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async pin(tx: Db, actor: Actor, channelId: bigint, messageId: bigint): Promise<Outcome<void>> {
    const standing = await this.mayPin(tx, actor, channelId);
    await lockChannelPins(tx, channelId);
    const state = await pinState(tx, channelId, messageId);
    if (!state.exists) throw notFound('No such message.');
    if (state.pinned) return outcome(undefined);
    if (state.count >= MAX_PINS_PER_CHANNEL) {
      throw forbidden(`A channel holds at most ${MAX_PINS_PER_CHANNEL} pinned messages; unpin one first.`, {
        reason: 'pin_limit',
        limit: MAX_PINS_PER_CHANNEL,
      });
    }
    await insertPin(tx, { channelId, messageId, pinnedBy: actor.id, pinnedAt: this.now() });
    return outcome(undefined, [this.update(standing, channelId, messageId, true)]);
  }

  async unpin(tx: Db, actor: Actor, channelId: bigint, messageId: bigint): Promise<Outcome<void>> {
    const standing = await this.mayPin(tx, actor, channelId);
    await lockChannelPins(tx, channelId);
    if (!(await deletePin(tx, channelId, messageId))) return outcome(undefined);
    return outcome(undefined, [this.update(standing, channelId, messageId, false)]);
  }

  async list(userId: bigint, channelId: bigint): Promise<Pin[]> {
    const { db, access, messagesByIds } = this.deps;
    await access.channel(db, channelId, userId);
    const pins = await pinsOf(db, channelId);
    const found = new Map(
      (
        await messagesByIds(
          channelId,
          pins.map((p) => p.messageId),
          userId,
        )
      ).map((m) => [m.id, m]),
    );
    return pins.flatMap((p) => {
      const message = found.get(p.messageId.toString());
      if (!message) return [];
      return [
        {
          message,
          pinnedBy: toUserRef(p.pinnedBy),
          pinnedAt: p.pinnedAt.toISOString(),
        },
      ];
    });
  }

  private async mayPin(tx: Db, actor: Actor, channelId: bigint): Promise<ChannelAccess> {
    const standing = await this.deps.access.channel(tx, channelId, actor.id, true);
    if (standing.channel.type === 'voice') throw invalidInput('Voice channels hold no messages.');
    if (standing.server && !standing.server.permissions.pinMessages) {
      throw forbidden('You do not have permission to pin messages in this server.');
    }
    return standing;
  }

  private update(standing: ChannelAccess, channelId: bigint, messageId: bigint, pinned: boolean) {
    const d = { channelId: channelId.toString(), messageId: messageId.toString(), pinned };
    return dispatch('channel_pins_update', d, standing.audience);
  }
}
