// A seeded market maker: keeps a two-sided ladder around a random-walk mid and trades now and then, so
// a paper venue shows live ticks, trades and book changes. The caller's timer drives step().
import { Dec } from './decimal.js';
import { ExchangeRejection } from './exchange-rejection.js';
import type { Side } from './exchange-types.js';
import type { InstrumentSpec } from './instrument-spec.js';
import type { PaperExchange } from './paper-exchange.js';
import { SeededRandom } from './seeded-random.js';

export interface MarketMakerOptions {
  instrument: string;
  startMid: string;
  seed: number;
  /** Levels per side, default 10. */
  levels?: number;
  /** Distance between best bid and best ask in ticks, default 2. */
  spreadTicks?: number;
  /** Typical amount per level (each level varies 0.5x–1.5x); default about 50x minNotional. */
  levelAmount?: string;
  /** Standard deviation of the mid's move per step in basis points, default 5. */
  volatilityBps?: number;
  /** Chance per step of a market order against the book, default 0.3. */
  tradeProbability?: number;
  /** Default '__market_maker__'. */
  account?: string;
  /** Ticks between ladder levels; default about half the typical move per step (at least 1). */
  levelStepTicks?: number;
}

/** Top-ups are this many times what is needed, so deposits stay rare. */
const TOP_UP_FACTOR = 1000;

export class MarketMaker {
  private readonly spec: InstrumentSpec;
  private readonly tick: Dec;
  private readonly lot: Dec;
  private readonly minNotional: Dec;
  private readonly random: SeededRandom;
  private readonly account: string;
  private readonly levels: number;
  private readonly spreadTicks: number;
  private readonly levelStepTicks: number;
  private readonly levelAmount: Dec;
  private readonly volatilityBps: number;
  private readonly tradeProbability: number;
  private readonly midDecimals: number;
  private mid: Dec;

  constructor(
    private readonly exchange: PaperExchange,
    options: MarketMakerOptions,
  ) {
    const spec = exchange.instruments().find((i) => i.symbol === options.instrument);
    if (spec === undefined) {
      throw new ExchangeRejection(
        'UNKNOWN_INSTRUMENT',
        `unknown instrument ${options.instrument}`,
        'instrument',
      );
    }
    this.spec = spec;
    this.tick = new Dec(spec.tickSize);
    this.lot = new Dec(spec.lotSize);
    this.minNotional = new Dec(spec.minNotional);
    this.mid = new Dec(options.startMid);
    this.random = new SeededRandom(options.seed);
    this.account = options.account ?? '__market_maker__';
    this.levels = options.levels ?? 10;
    this.spreadTicks = Math.max(1, options.spreadTicks ?? 2);
    this.volatilityBps = options.volatilityBps ?? 5;
    this.tradeProbability = options.tradeProbability ?? 0.3;
    this.midDecimals = this.tick.decimalPlaces() + 4;
    const typicalMoveTicks = this.mid.mul(this.volatilityBps).div(10_000).div(this.tick).toNumber();
    this.levelStepTicks = Math.max(1, options.levelStepTicks ?? Math.round(typicalMoveTicks / 2));
    const defaultNotional = Dec.max(this.minNotional, 1).mul(50);
    this.levelAmount = Dec.max(
      this.lot,
      this.floorLot(
        options.levelAmount !== undefined ? new Dec(options.levelAmount) : defaultNotional.div(this.mid),
      ),
    );
  }

  /** Current mid of the random walk. */
  midPrice(): string {
    return this.mid.toString();
  }

  step(): void {
    this.moveMid();
    this.requote();
    if (this.random.next() < this.tradeProbability) this.trade();
  }

  private moveMid(): void {
    const factor = 1 + (this.random.gaussian() * this.volatilityBps) / 10_000;
    const floor = this.tick.mul(this.spreadTicks + this.levels * this.levelStepTicks + 1);
    this.mid = Dec.max(floor, this.mid.mul(factor).toDecimalPlaces(this.midDecimals));
  }

  /** Cancels ladder orders no longer wanted, then fills the gaps. */
  private requote(): void {
    // Exactly spreadTicks between best bid and best ask, straddling the mid.
    const bestBid = this.mid
      .div(this.tick)
      .floor()
      .sub(Math.floor(this.spreadTicks / 2))
      .mul(this.tick);
    const bestAsk = bestBid.add(this.tick.mul(this.spreadTicks));
    const step = this.tick.mul(this.levelStepTicks);
    const wanted = new Map<string, { side: Side; price: Dec }>();
    for (let i = 0; i < this.levels; i += 1) {
      const bid = bestBid.sub(step.mul(i));
      if (bid.gt(0)) wanted.set(`buy ${bid.toString()}`, { side: 'buy', price: bid });
      const ask = bestAsk.add(step.mul(i));
      wanted.set(`sell ${ask.toString()}`, { side: 'sell', price: ask });
    }
    for (const order of this.exchange.openOrders(this.account, this.spec.symbol)) {
      const key = `${order.side} ${order.price ?? ''}`;
      if (wanted.has(key)) wanted.delete(key);
      else this.exchange.cancelOrder(this.account, this.spec.symbol, { orderId: order.orderId });
    }
    for (const { side, price } of wanted.values()) this.quote(side, price);
  }

  private quote(side: Side, price: Dec): void {
    let amount = this.floorLot(this.levelAmount.mul(0.5 + this.random.next()));
    const minimum = this.minNotional.div(price).div(this.lot).ceil().mul(this.lot);
    amount = Dec.max(amount, minimum, this.lot);
    this.ensureFree(
      side === 'buy' ? this.spec.quote : this.spec.base,
      side === 'buy' ? price.mul(amount) : amount,
    );
    this.exchange.placeOrder(this.account, {
      instrument: this.spec.symbol,
      side,
      type: 'limit',
      price: price.toString(),
      amount: amount.toString(),
      timeInForce: 'GTC',
    });
  }

  private trade(): void {
    const side: Side = this.random.next() < 0.5 ? 'buy' : 'sell';
    const amount = Dec.max(this.lot, this.floorLot(this.levelAmount.mul(0.2 + 0.8 * this.random.next())));
    if (side === 'buy') {
      // What the walk up the asks will cost, so the top-up always covers it.
      let left = amount;
      let cost = new Dec(0);
      for (const level of this.exchange.depth(this.spec.symbol, 1000).asks) {
        if (left.lte(0)) break;
        const take = Dec.min(left, level.amount);
        cost = cost.add(take.mul(level.price));
        left = left.sub(take);
      }
      this.ensureFree(this.spec.quote, cost);
    } else {
      this.ensureFree(this.spec.base, amount);
    }
    this.exchange.placeOrder(this.account, {
      instrument: this.spec.symbol,
      side,
      type: 'market',
      amount: amount.toString(),
    });
  }

  /** The market maker's balances are unlimited: top up (a recorded deposit) whenever short. */
  private ensureFree(currency: string, need: Dec): void {
    const balance = this.exchange.balances(this.account).find((b) => b.currency === currency);
    const free = new Dec(balance?.free ?? '0');
    if (free.lt(need)) this.exchange.credit(this.account, currency, need.mul(TOP_UP_FACTOR).toString());
  }

  private floorLot(value: Dec): Dec {
    return value.div(this.lot).floor().mul(this.lot);
  }
}
