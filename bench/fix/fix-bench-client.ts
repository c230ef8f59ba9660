// A lean FIX 4.4 initiator for the benchmark: jspurefix's AsciiSession over a socket of our own, handing each
// application message to one handler as jspurefix's MsgView (read it there and then: the view is reused).
import { fixInitiatorConfig, openFixSocket, runFixSession } from '@tm/testing';
import {
  AsciiSession,
  MemorySessionStore,
  type IJsFixConfig,
  type ILooseObject,
  type MsgView,
} from 'jspurefix';

export type ApplicationHandler = (msgType: string, view: MsgView) => void;

export interface FixBenchClientOptions {
  port: number;
  senderCompId: string;
  password: string;
  targetCompId?: string;
}

class BenchSession extends AsciiSession {
  constructor(
    config: IJsFixConfig,
    private readonly client: FixBenchClient,
  ) {
    super(config);
  }
  sendMessage(msgType: string, obj: ILooseObject): void {
    this.send(msgType, obj);
  }
  protected onApplicationMsg(msgType: string, view: MsgView): void {
    this.client.onApplication(msgType, view);
  }
  protected onLogon(): boolean {
    return true;
  }
  protected onReady(): void {
    this.client.onReady();
  }
  protected onStopped(error?: Error): void {
    this.client.onStopped(error);
  }
  protected onDecoded(): void {}
  protected onEncoded(): void {}
}

export class FixBenchClient {
  /** Application messages received, by MsgType. */
  readonly received = new Map<string, number>();
  handler: ApplicationHandler = () => undefined;
  private session: BenchSession | null = null;
  private ended: Promise<unknown> = Promise.resolve();
  private ready: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private stopped = false;

  constructor(private readonly options: FixBenchClientOptions) {}

  /** Connects and logs on; resolves once the server's Logon came back. */
  async connect(timeoutMs = 10_000): Promise<void> {
    const o = this.options;
    const config = await fixInitiatorConfig({
      ...o,
      resetSeqNum: true,
      sessionStore: (id) => new MemorySessionStore(id),
    });
    const socket = await openFixSocket(o.port);
    const session = new BenchSession(config, this);
    this.session = session;
    const ready = new Promise<void>((resolve, reject) => (this.ready = { resolve, reject }));
    this.ended = runFixSession(session, config, socket, 1);
    const timer = setTimeout(
      () => this.ready?.reject(new Error(`${o.senderCompId}: no Logon in ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      await ready;
    } finally {
      clearTimeout(timer);
    }
  }

  send(msgType: string, obj: ILooseObject): void {
    if (this.session === null || this.stopped) throw new Error(`${this.options.senderCompId}: not connected`);
    this.session.sendMessage(msgType, obj);
  }

  /** Logs out and waits (at most 3 s) for the session to end. */
  async close(): Promise<void> {
    if (this.session !== null && !this.stopped) this.session.done();
    await Promise.race([this.ended, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  }

  onApplication(msgType: string, view: MsgView): void {
    this.received.set(msgType, (this.received.get(msgType) ?? 0) + 1);
    this.handler(msgType, view);
  }

  onReady(): void {
    this.ready?.resolve();
  }

  onStopped(error?: Error): void {
    this.stopped = true;
    this.ready?.reject(error ?? new Error(`${this.options.senderCompId}: session ended before its Logon`));
  }

  count(msgType: string): number {
    return this.received.get(msgType) ?? 0;
  }
}
