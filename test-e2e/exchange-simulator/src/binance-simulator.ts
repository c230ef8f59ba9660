// The simulator: one HTTP server (REST + websocket upgrades) over a PaperExchange, wired to the
// market streams, the user streams and the fault injector.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { MarketMaker, PaperExchange, type Deposit, type ExchangeEvents } from '@tm/matching';

import { SymbolMap } from './binance-format.js';
import { FaultInjector, type SimulatorFaults } from './faults.js';
import { accountEndpoints, ListenKeyRegistry } from './http/endpoints/account.endpoints.js';
import { marketEndpoints } from './http/endpoints/market.endpoints.js';
import { orderEndpoints } from './http/endpoints/order.endpoints.js';
import { sapiEndpoints } from './http/endpoints/sapi.endpoints.js';
import { RequestWeights } from './http/request-weights.js';
import { Router } from './http/router.js';
import { Authenticator } from './http/signature.js';
import type { SimulatorContext } from './simulator-context.js';
import {
  DEFAULT_LIMITS,
  type BinanceSimulatorOptions,
  type SimulatorLimits,
  type SimulatorStats,
} from './simulator-options.js';
import { MarketStreams } from './ws/market-streams.js';
import { UserStreams } from './ws/user-stream.js';
import { WebsocketGateway } from './ws/websocket-gateway.js';

export class BinanceSimulator {
  readonly faults: SimulatorFaults;
  readonly httpUrl: string;
  readonly wsUrl: string;

  private constructor(
    readonly exchange: PaperExchange,
    readonly port: number,
    private readonly server: Server,
    private readonly parts: {
      faults: FaultInjector;
      market: MarketStreams;
      user: UserStreams;
      gateway: WebsocketGateway;
      context: SimulatorContext;
      stats: SimulatorStats;
      heldOpen: Set<NodeJS.Timeout>;
      previousEvents: ExchangeEvents;
      makerTimer: NodeJS.Timeout | undefined;
    },
  ) {
    this.faults = parts.faults;
    this.httpUrl = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
  }

  static async start(options: BinanceSimulatorOptions): Promise<BinanceSimulator> {
    const exchange =
      options.exchange ??
      new PaperExchange({
        instruments: options.instruments,
        makerFeeRate: options.makerFeeRate,
        takerFeeRate: options.takerFeeRate,
      });
    const limits: SimulatorLimits | false =
      options.limits === false ? false : { ...DEFAULT_LIMITS, ...options.limits };
    const faults = new FaultInjector();
    const auth = new Authenticator(options.accounts);
    const stats: SimulatorStats = { requests: 0, status429: 0, status418: 0, ordersAccepted: 0, byPath: {} };
    const heldOpen = new Set<NodeJS.Timeout>();
    const listenKeys = new ListenKeyRegistry();
    let nextId = 0;
    const moved: { to?: UserStreams } = {};
    const context: SimulatorContext = {
      exchange,
      symbols: new SymbolMap(exchange.instruments()),
      accounts: options.accounts,
      balanceMoved: (account, currency, delta) => moved.to?.onBalanceMoved(account, currency, delta),
      nextId: () => ++nextId,
    };
    const user = new UserStreams(context, auth, faults);
    moved.to = user;
    const market = new MarketStreams(context, faults, options.tickerIntervalMs ?? 1000);

    const previousEvents = exchange.events;
    // Chained after whatever listened before (a shared engine), and guarded: a failing push must never
    // become an engine error (the engine rethrows handler errors asynchronously).
    const guard = (push: () => void) => {
      try {
        push();
      } catch {
        // The socket layer already ignores closed sockets; anything else here is a lost push, not a crash.
      }
    };
    exchange.events = {
      onOrderUpdate: (order, fill) => {
        previousEvents.onOrderUpdate?.(order, fill);
        guard(() => user.onOrderUpdate(order, fill));
      },
      onPublicTrade: (trade) => {
        previousEvents.onPublicTrade?.(trade);
        guard(() => market.onPublicTrade(trade));
      },
      onDepthUpdate: (update) => {
        previousEvents.onDepthUpdate?.(update);
        guard(() => market.onDepthUpdate(update));
      },
    };

    for (const account of options.accounts) {
      for (const [currency, amount] of Object.entries(account.balances ?? {}))
        exchange.credit(account.account, currency, amount);
    }
    const makerTimer = startMarketMakers(exchange, options);

    const router = new Router({
      endpoints: [
        ...marketEndpoints(context, limits),
        ...accountEndpoints(context, listenKeys),
        ...orderEndpoints(context),
        ...sapiEndpoints(context),
      ],
      auth,
      weights: new RequestWeights(limits),
      faults,
      stats,
      onHeldOpen: (timer) => heldOpen.add(timer),
    });
    const server = createServer({ keepAlive: true }, (req, res) => router.handle(req, res));
    server.keepAliveTimeout = 65_000;
    const gateway = new WebsocketGateway(server, { faults, market, user, listenKeys });
    faults.onDropWebsockets = () => {
      market.dropAll();
      user.dropAll();
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    return new BinanceSimulator(exchange, port, server, {
      faults,
      market,
      user,
      gateway,
      context,
      stats,
      heldOpen,
      previousEvents,
      makerTimer,
    });
  }

  stats(): SimulatorStats {
    const s = this.parts.stats;
    return { ...s, byPath: { ...s.byPath } };
  }

  /** Market-stream connections subscribed to `stream` ('btcusdt@trade'); tests wait on it. */
  streamSubscribers(stream: string): number {
    return this.parts.market.subscriberCount(stream);
  }

  /** User-data-stream subscriptions of an engine account. */
  userStreamSubscribers(account: string): number {
    return this.parts.user.subscriberCount(account);
  }

  /** Credits a deposit and tells the account's user streams (balanceUpdate), as a real deposit would. */
  deposit(account: string, currency: string, amount: string): Deposit {
    const deposit = this.exchange.credit(account, currency, amount);
    this.parts.context.balanceMoved(account, currency, amount);
    return deposit;
  }

  async close(): Promise<void> {
    const { market, user, gateway, heldOpen, makerTimer, previousEvents } = this.parts;
    if (makerTimer !== undefined) clearInterval(makerTimer);
    for (const timer of heldOpen) clearTimeout(timer);
    heldOpen.clear();
    market.close();
    user.close();
    gateway.close();
    this.exchange.events = previousEvents;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function startMarketMakers(
  exchange: PaperExchange,
  options: BinanceSimulatorOptions,
): NodeJS.Timeout | undefined {
  const configs = options.marketMakers ?? [];
  if (configs.length === 0) return undefined;
  const makers = configs.map(
    (config, index) =>
      new MarketMaker(exchange, {
        instrument: config.instrument,
        startMid: config.startMid,
        seed: (options.seed ?? 1) + index,
        ...(config.levels === undefined ? {} : { levels: config.levels }),
        ...(config.levelAmount === undefined ? {} : { levelAmount: config.levelAmount }),
      }),
  );
  const timer = setInterval(() => {
    for (const maker of makers) {
      try {
        maker.step();
      } catch {
        // A refused quote (e.g. a price walking below one tick) only skips this step.
      }
    }
  }, options.marketMakerStepMs ?? 100);
  timer.unref();
  return timer;
}
