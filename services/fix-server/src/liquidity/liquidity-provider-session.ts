// Our initiator session to one liquidity provider (jspurefix AsciiSession): once logged on it subscribes to the
// configured instruments with one MarketDataRequest, and turns the LP's W and X into books and ticks.
// Symbols: the LP is assumed to quote our unified symbols (`BTC/USDT`) as Symbol(55), unchanged both ways.
import type { Logger } from '@tm/telemetry';
import {
  AsciiSession,
  MsgTag,
  SessionState,
  type IJsFixConfig,
  type ILooseObject,
  type MsgView,
} from 'jspurefix';
import type { LiquidityProviderConfig } from './liquidity-provider.config.js';
import type { LpBookOutput, LpBooks, LpIncrementalMessage, LpSnapshotMessage } from './lp-book.js';
import type { LpMarketDataSink } from './lp-market-data.publisher.js';

/** The repo44 values the request uses (jspurefix's enums, as literals). */
const SUBSCRIBE = '1';
const INCREMENTAL = 1;
const BID = '0';
const OFFER = '1';

export interface LiquidityProviderSessionDependencies {
  readonly lp: LiquidityProviderConfig;
  /** MDReqID(262) of this connection's subscription. */
  readonly mdReqId: string;
  readonly books: LpBooks;
  readonly sink: LpMarketDataSink;
  readonly logger: Logger;
  /** Our receive time, microseconds (nowMicros). */
  readonly clock: () => number;
  readonly onLoggedOn: () => void;
  /** After each W or X, for the link's counters. */
  readonly onOutput: (output: LpBookOutput) => void;
  readonly onRejected: () => void;
}

/** The MarketDataRequest (V) body for one LP: all its instruments, bid and offer, incremental updates. */
export function marketDataRequestOf(lp: LiquidityProviderConfig, mdReqId: string): ILooseObject {
  return {
    MDReqID: mdReqId,
    SubscriptionRequestType: SUBSCRIBE,
    MarketDepth: lp.depth,
    MDUpdateType: INCREMENTAL,
    MDReqGrp: [{ MDEntryType: BID }, { MDEntryType: OFFER }],
    InstrmtMDReqGrp: lp.instruments.map((Symbol) => ({ Instrument: { Symbol } })),
  };
}

export class LiquidityProviderSession extends AsciiSession {
  constructor(
    config: IJsFixConfig,
    private readonly deps: LiquidityProviderSessionDependencies,
  ) {
    super(config);
  }

  /** The socket went away under the session (reset, TLS failure): end it now instead of at the next heartbeat. */
  dropped(reason: string): void {
    if (this.getState() !== SessionState.Stopped) this.terminate(new Error(reason));
  }

  protected onLogon(): boolean {
    // The LP's answer to our Logon: nothing of ours to check.
    return true;
  }

  protected onReady(): void {
    this.deps.logger.info({ lp: this.deps.lp.name, instruments: this.deps.lp.instruments }, 'LP logged on');
    this.deps.onLoggedOn();
    this.send('V', marketDataRequestOf(this.deps.lp, this.deps.mdReqId));
  }

  protected onApplicationMsg(msgType: string, view: MsgView): void {
    // Taken first, so the time includes none of our own parsing.
    const tsInit = this.deps.clock();
    switch (msgType) {
      case 'W':
      case 'X': {
        const body = view.toObject() as ILooseObject;
        const times = { tsEvent: this.tsEventOf(view, tsInit), tsInit };
        const output =
          msgType === 'W'
            ? this.deps.books.onSnapshot(body as LpSnapshotMessage, times)
            : this.deps.books.onIncremental(body as LpIncrementalMessage, times);
        for (const book of output.books) this.deps.sink.book(book);
        for (const tick of output.ticks) this.deps.sink.tick(tick);
        if (output.refused > 0) {
          this.deps.logger.debug(
            { lp: this.deps.lp.name, msgType, refused: output.refused },
            'LP entries refused',
          );
        }
        this.deps.onOutput(output);
        return;
      }
      case 'Y': {
        const body = view.toObject() as ILooseObject;
        this.deps.onRejected();
        this.deps.logger.warn(
          {
            lp: this.deps.lp.name,
            mdReqId: body['MDReqID'] as unknown,
            reason: body['MDReqRejReason'] as unknown,
            text: body['Text'] as unknown,
          },
          'LP rejected our MarketDataRequest',
        );
        return;
      }
      default:
        this.deps.logger.debug({ lp: this.deps.lp.name, msgType }, 'LP message ignored');
    }
  }

  protected onStopped(error?: Error): void {
    this.deps.logger.info({ lp: this.deps.lp.name, reason: error?.message }, 'LP session ended');
  }

  protected onDecoded(): void {}
  protected onEncoded(): void {}

  /** The LP's SendingTime(52), microseconds; our receive time when it has none. */
  private tsEventOf(view: MsgView, tsInit: number): number {
    const sendingTime = view.getTyped(MsgTag.SendingTime);
    const ms = sendingTime instanceof Date ? sendingTime.getTime() : NaN;
    return Number.isFinite(ms) && ms > 0 ? ms * 1000 : tsInit;
  }
}
