import {
  ChatSession,
  type ChatStore,
  createChatStore,
  GatewayClient,
  isPending,
  type RestClient,
  type StoreMessage,
} from '@decentra/client';
import { GATEWAY_OPS, type OpInput, type OpName, type OpReply } from '@decentra/protocol';
import WebSocket from 'ws';

/**
 * The SDK's gateway client, recording what a test of delivery needs: the id of every message
 * whose send was acknowledged, and how many times each send went out (a nonce resent after a
 * drop).
 */
class RecordingGateway extends GatewayClient {
  readonly acked = new Map<string, string>();
  readonly sends = new Map<string, number>();

  override request<N extends OpName>(op: N, d: OpInput<N>): Promise<OpReply<N>> {
    const reply = super.request(op, d);
    const send = GATEWAY_OPS.send_message.d.safeParse(d);
    if (op === 'send_message' && send.success && send.data.nonce !== undefined) {
      const nonce = send.data.nonce;
      if (this.state === 'ready') this.sends.set(nonce, (this.sends.get(nonce) ?? 0) + 1);
      reply.then(
        (answer) => {
          const message = GATEWAY_OPS.send_message.reply.safeParse(answer);
          if (message.success) this.acked.set(nonce, message.data.id);
        },
        () => {},
      );
    }
    return reply;
  }
}

/**
 * One person as the web app runs them: a ChatStore kept by a ChatSession (its outbox resends with
 * the same nonce after a reconnect; after a lost session it catches the open channels up with
 * `after`) over the SDK's GatewayClient (reconnect with backoff, resume or re-identify), plus
 * what the test reads: every live `message_create` id with its count, when the connection
 * dropped and when it was back (resumed, or re-identified and caught up).
 */
export class ClusterChatClient {
  readonly store: ChatStore = createChatStore();
  readonly gateway: RecordingGateway;
  readonly session: ChatSession;
  readonly live = new Map<string, number>();
  /** Frames from the server the contract does not allow (dropped by the client): must stay empty. */
  readonly invalidFrames: string[] = [];
  droppedAt: number | undefined;
  /** After the last drop: when the session was resumed, or a new one was ready and caught up. */
  backAt: number | undefined;
  resets = 0;
  /** Catch-up pages that failed on the way (the session asks for them again). */
  failedPages = 0;
  private catchUps = 0;
  private awaitingCatchUp = false;

  constructor(
    readonly userId: string,
    wsUrl: string,
    token: string,
    rest: RestClient,
  ) {
    this.gateway = new RecordingGateway({
      url: wsUrl,
      token,
      WebSocket,
      validate: true,
      // The web app's defaults, except a shorter heartbeat: a socket through the proxy to a
      // killed instance is closed by the proxy at once anyway.
      heartbeatMs: 10_000,
    });
    this.gateway.on('invalidFrame', ({ error }) => this.invalidFrames.push(error));
    this.gateway.on('state', (state) => {
      if (state === 'reconnecting' && this.droppedAt === undefined) {
        this.droppedAt = Date.now();
        this.backAt = undefined;
      }
    });
    this.gateway.on('resumed', () => {
      this.backAt = Date.now();
    });
    this.gateway.on('reset', () => {
      this.resets += 1;
      this.awaitingCatchUp = true;
    });
    this.gateway.on('event', (frame) => {
      if (frame.t === 'message_create') this.live.set(frame.d.id, (this.live.get(frame.d.id) ?? 0) + 1);
    });
    this.session = new ChatSession(this.store, this.gateway, this.watchedRest(rest));
  }

  /** The REST client (one of its own), with the end of a catch-up (`after` pages until a short one) noted. */
  private watchedRest(rest: RestClient): RestClient {
    const listMessages = rest.listMessages;
    rest.listMessages = async (input) => {
      const catchingUp = this.awaitingCatchUp && input.after !== undefined;
      if (!catchingUp) return listMessages(input);
      this.catchUps += 1;
      try {
        const page = await listMessages(input);
        if (page.length < (input.limit ?? 50) && this.catchUps === 1) {
          this.awaitingCatchUp = false;
          this.backAt = Date.now();
        }
        return page;
      } catch (err) {
        this.failedPages += 1;
        throw err;
      } finally {
        this.catchUps -= 1;
      }
    };
    return rest;
  }

  /** The messages the client shows in `channelId` (confirmed ones: pending copies left out). */
  shown(channelId: string): StoreMessage[] {
    return (this.store.getState().messages[channelId]?.items ?? []).filter((m) => !isPending(m));
  }

  get pending(): number {
    return this.session.pendingNonces.length;
  }
}
