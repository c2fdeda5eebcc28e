import { randomUUID } from 'node:crypto';
import { GatewayClient, RestClient } from '@decentra/client';
import type { AuthResponse, Channel, Message, ReadyData, Server } from '@decentra/protocol';
import WebSocket, { type ClientOptions } from 'ws';
import { channelLabel, formatMessage, safe } from './format.js';

export interface CliOptions {
  server: string;
  token?: string;
  /** For REST calls, e.g. one that trusts the server's certificate (tls-trust.ts). */
  fetch?: typeof fetch;
  /** Options for the gateway's sockets, e.g. the agent that trusts the server's certificate. */
  webSocket?: ClientOptions;
  print: (line: string) => void;
}

export const HELP = [
  'Commands:',
  '  /signup <name> <password> [invite]   make an account',
  '  /login <name> <password>             log in',
  '  /servers                             list your servers and their channels',
  '  /dms                                 list your direct messages',
  '  /open <#channel | @friend | id>      open a channel or DM (shows recent history)',
  '  /create <server name>                create a server',
  '  /join <invite code>                  join a server',
  '  /invite                              make a sign-up invite code',
  '  /history                             show the 50 messages before the oldest shown',
  '  /logout, /quit, /help',
  'Anything else is sent to the open channel.',
].join('\n');

/** The terminal client's state and commands, on the SDK; printing goes through `print`. */
export class CliSession {
  readonly rest: RestClient;
  private gateway: GatewayClient | undefined;
  private servers: Server[] = [];
  private dms: Channel[] = [];
  private me: string | undefined;
  private open: Channel | undefined;
  private oldestShown: string | undefined;

  constructor(private readonly options: CliOptions) {
    this.rest = new RestClient({
      baseUrl: options.server,
      ...(options.token ? { token: options.token } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  get token(): string | undefined {
    return this.rest.token;
  }

  /** Runs one line of input; resolves false when the user asked to quit. */
  async handle(line: string): Promise<boolean> {
    const input = line.trim();
    if (!input) return true;
    try {
      if (!input.startsWith('/')) {
        await this.send(input);
        return true;
      }
      const [command = '', ...args] = input.slice(1).split(/\s+/);
      switch (command) {
        case 'help':
          this.print(HELP);
          break;
        case 'signup':
          await this.connected(
            await this.rest.signup({
              username: args[0] ?? '',
              password: args[1] ?? '',
              ...(args[2] ? { inviteCode: args[2] } : {}),
            }),
          );
          break;
        case 'login':
          await this.connected(await this.rest.login({ username: args[0] ?? '', password: args[1] ?? '' }));
          break;
        case 'servers':
          this.listServers();
          break;
        case 'dms':
          for (const dm of this.dms) this.print(`  ${channelLabel(dm, this.me)}  (${dm.id})`);
          if (this.dms.length === 0) this.print('No direct messages yet.');
          break;
        case 'open':
          await this.openChannel(args.join(' '));
          break;
        case 'create': {
          const server = await this.rest.createServer({ name: args.join(' ') });
          this.print(`Created ${safe(server.name)}. /open #general to talk there.`);
          break;
        }
        case 'join': {
          const server = await this.rest.joinServer({ inviteCode: args[0] ?? '' });
          this.print(`Joined ${safe(server.name)}.`);
          break;
        }
        case 'invite':
          this.print(`Sign-up invite code: ${(await this.rest.createInvite()).code}`);
          break;
        case 'history':
          await this.showHistory();
          break;
        case 'logout':
          await this.rest.logout();
          this.gateway?.close();
          this.print('Logged out.');
          break;
        case 'quit':
        case 'exit':
          this.close();
          return false;
        default:
          this.print(`Unknown command /${command}. Type /help.`);
      }
    } catch (err) {
      this.print(`! ${(err as Error).message}`);
    }
    return true;
  }

  /** With a token from before (saved or given), connect straight away. */
  async resume(): Promise<void> {
    if (!this.rest.token) return;
    const user = await this.rest.me();
    await this.connect(user.username);
  }

  close(): void {
    this.gateway?.close();
  }

  private async connected(auth: AuthResponse): Promise<void> {
    await this.connect(auth.user.username);
  }

  private async connect(username: string): Promise<void> {
    this.gateway?.close();
    const gateway = new GatewayClient({
      url: `${this.options.server.replace(/^http/, 'ws')}/ws`,
      ...(this.rest.token ? { token: this.rest.token } : {}),
      WebSocket: this.webSocketClass(),
    });
    this.gateway = gateway;
    gateway.on('ready', (data) => this.onReady(data));
    gateway.on('state', (state) => {
      if (state === 'reconnecting') this.print('… connection lost, reconnecting');
    });
    gateway.onEvent('message_create', (m) => this.onMessage(m));
    gateway.onEvent('server_create', (s) => {
      this.servers.push(s);
    });
    gateway.onEvent('dm_create', (c) => {
      if (!this.dms.some((d) => d.id === c.id)) this.dms.push(c);
    });
    const ready = await gateway.connect();
    this.print(`Logged in as ${safe(username)}. ${ready.servers.length} server(s). Type /help.`);
  }

  private webSocketClass() {
    const options = this.options.webSocket ?? {};
    return class extends WebSocket {
      constructor(url: string) {
        super(url, options);
      }
    };
  }

  private onReady(data: ReadyData): void {
    this.servers = data.servers;
    this.dms = data.dms;
    this.me = data.user.id;
  }

  private onMessage(m: Message): void {
    if (this.open?.id === m.channelId) {
      this.print(formatMessage(m));
      return;
    }
    const channel = this.findChannel(m.channelId);
    if (channel?.type === 'dm' && m.author.id !== this.me)
      this.print(formatMessage(m, channelLabel(channel, this.me)));
  }

  private listServers(): void {
    if (this.servers.length === 0) this.print('No servers yet: /create <name> or /join <code>.');
    for (const s of this.servers) {
      this.print(`${safe(s.name)}  (${s.id})`);
      for (const c of s.channels) this.print(`  ${channelLabel(c)}  (${c.id})`);
    }
  }

  private findChannel(id: string): Channel | undefined {
    return (
      this.servers.flatMap((s) => s.channels).find((c) => c.id === id) ?? this.dms.find((c) => c.id === id)
    );
  }

  private async openChannel(target: string): Promise<void> {
    let channel: Channel | undefined;
    if (target.startsWith('#')) {
      const name = target.slice(1).toLowerCase();
      channel = this.servers
        .flatMap((s) => s.channels)
        .find((c) => c.type === 'text' && c.name.toLowerCase() === name);
    } else if (target.startsWith('@')) {
      const name = target.slice(1).toLowerCase();
      channel = this.dms.find((c) =>
        c.recipients?.some((r) => r.id !== this.me && r.username.toLowerCase() === name),
      );
      if (!channel) {
        const friends = await this.rest.listFriends();
        const friend = friends.friends.find((f) => f.username.toLowerCase() === name);
        if (friend) channel = await this.rest.openDm({ userId: friend.id });
      }
    } else {
      channel = this.findChannel(target);
    }
    if (!channel) {
      this.print(`No channel ${safe(target)}. Try /servers or /dms.`);
      return;
    }
    this.open = channel;
    this.oldestShown = undefined;
    this.print(`— ${channelLabel(channel, this.me)} —`);
    await this.showHistory();
  }

  private async showHistory(): Promise<void> {
    if (!this.open) throw new Error('Open a channel first: /open #general');
    const page = await this.rest.listMessages({
      channelId: this.open.id,
      limit: 50,
      ...(this.oldestShown ? { before: this.oldestShown } : {}),
    });
    if (page.length === 0) this.print('(no earlier messages)');
    for (const m of page) this.print(formatMessage(m));
    this.oldestShown = page[0]?.id ?? this.oldestShown;
  }

  private async send(content: string): Promise<void> {
    if (!this.open) throw new Error('Open a channel first: /open #general');
    if (!this.gateway) throw new Error('Log in first: /login <name> <password>');
    // The nonce makes a retry after a lost reply safe: the server never stores it twice.
    await this.gateway.request('send_message', { channelId: this.open.id, content, nonce: randomUUID() });
  }

  private print(line: string): void {
    this.options.print(line);
  }
}
