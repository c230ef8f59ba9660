import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Status } from '@nats-io/transport-node';
import { silentLogger, type MessagingLogger } from './messaging-logger.js';

export interface NatsLinkOptions {
  servers: string[];
  /** Connection name shown by the server's monitoring, e.g. `aggregator/a-1`. */
  name: string;
  pingIntervalMs: number;
  maxPingOut: number;
  reconnectWaitMs: number;
  reconnectJitterMs: number;
  logger?: MessagingLogger;
}

export type LinkStatus = 'up' | 'down';
export type LinkStatusListener = (status: LinkStatus, detail?: string) => void;

/** One NATS connection per process, shared by JetStream, request/reply and the Nest transport. */
export class NatsLink {
  readonly jetstream: JetStreamClient;
  private up = true;
  private closing: Promise<void> | undefined;
  private readonly listeners = new Set<LinkStatusListener>();

  private constructor(
    readonly connection: NatsConnection,
    readonly logger: MessagingLogger,
  ) {
    this.jetstream = jetstream(connection);
    void this.watchStatus();
    void connection.closed().then((error) => this.onClosed(error));
  }

  /**
   * Connects, retrying forever (waitOnFirstConnect): callers race it with their own timer to report Waiting.
   * Reconnects to every server URL without limit, with jitter; the fast ping notices a hung server in seconds.
   */
  static async connect(opts: NatsLinkOptions): Promise<NatsLink> {
    const connection = await connect({
      servers: opts.servers,
      name: opts.name,
      pingInterval: opts.pingIntervalMs,
      maxPingOut: opts.maxPingOut,
      reconnect: true,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: opts.reconnectWaitMs,
      reconnectJitter: opts.reconnectJitterMs,
      // An async stack trace is captured for every request otherwise: a few percent of CPU on busy paths.
      noAsyncTraces: true,
    });
    const logger = opts.logger ?? silentLogger;
    logger.info({ server: connection.getServer(), name: opts.name }, 'nats connected');
    return new NatsLink(connection, logger);
  }

  jetstreamManager(): Promise<JetStreamManager> {
    return jetstreamManager(this.connection);
  }

  get isConnected(): boolean {
    return this.up && !this.connection.isClosed();
  }

  /** `down` on disconnect or a stale connection, `up` on reconnect; returns the unsubscribe. */
  onStatus(listener: LinkStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drains (in-flight messages are handled and flushed) then closes; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.connection.isClosed()
      ? Promise.resolve()
      : this.connection.drain().catch(async (error: unknown) => {
          this.logger.warn({ err: error }, 'nats drain failed, closing');
          await this.connection.close();
        });
    return this.closing;
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) this.onNatsStatus(status);
  }

  private onNatsStatus(status: Status): void {
    switch (status.type) {
      case 'disconnect':
        return this.setUp(false, `disconnected from ${status.server}`);
      case 'staleConnection':
        return this.setUp(false, 'stale connection: pings unanswered');
      case 'reconnect':
        return this.setUp(true, `reconnected to ${status.server}`);
      case 'ldm':
        return this.logger.warn({ server: status.server }, 'nats server entering lame duck mode');
      case 'error':
        return this.logger.error({ err: status.error }, 'nats error');
      default:
        return;
    }
  }

  private onClosed(error: void | Error): void {
    if (!this.closing) this.logger.error({ err: error }, 'nats connection closed unexpectedly');
    this.setUp(false, 'connection closed');
  }

  private setUp(up: boolean, detail: string): void {
    if (this.up === up) return;
    this.up = up;
    if (up) this.logger.info({ detail }, 'nats up');
    else this.logger.warn({ detail }, 'nats down');
    for (const listener of this.listeners) {
      try {
        listener(up ? 'up' : 'down', detail);
      } catch (error) {
        this.logger.error({ err: error }, 'nats status listener failed');
      }
    }
  }
}
