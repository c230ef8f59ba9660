import type { MarketAggregator } from '@tm/aggregation';
import type { MembershipChange } from '@tm/membership';
import { instrumentSlot, type SlotRange } from '@tm/sharding';
import type { Logger } from '@tm/telemetry';
import type { OwnedSlots } from '../ingest/owned-slots.js';
import type { AggregationStateStore } from '../state/aggregation-state-store.js';

function inRanges(ranges: readonly SlotRange[]): (slot: number) => boolean {
  return (slot) => ranges.some((range) => slot >= range.first && slot <= range.last);
}

/**
 * Moves slots in and out of this instance. A lost slot stops being ingested at once, its instruments'
 * state is saved for the next owner (unless the claim lapsed), then dropped. A gained slot's saved states are imported before its
 * input is taken, so its candles and rates go on where the previous owner left them.
 */
export class SlotHandover {
  private queue: Promise<void> = Promise.resolve();
  imported = 0;
  saved = 0;

  constructor(
    private readonly aggregator: MarketAggregator,
    private readonly owned: OwnedSlots,
    private readonly store: AggregationStateStore,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    /**
     * Whether a loss is a handover (this instance stops, or another joined) rather than a claim that
     * lapsed: after a lapse (a freeze, a lost connection) the new owner's saves are newer than ours.
     */
    private readonly handingOver: () => boolean,
    /** Each imported source book: it is not trusted until its source sends it again. */
    private readonly bookLost: (instrument: string, source: string) => void,
  ) {}

  /** Applies changes one after the other; the returned promise lets the membership wait before it leaves. */
  apply(change: MembershipChange): Promise<void> {
    this.queue = this.queue.then(async () => {
      if (change.lost.length > 0) await this.release(change.lost);
      if (change.gained.length > 0) await this.take(change.gained);
    });
    return this.queue;
  }

  /** Saves every held instrument whose slot `keep` accepts (the periodic save). */
  async saveAll(keep: (slot: number) => boolean): Promise<void> {
    await this.save(this.aggregator.instruments().filter((instrument) => keep(instrumentSlot(instrument))));
  }

  private async release(lost: readonly SlotRange[]): Promise<void> {
    this.owned.remove(lost);
    const leaving = this.aggregator.instruments().filter((i) => inRanges(lost)(instrumentSlot(i)));
    if (this.handingOver()) await this.save(leaving);
    for (const instrument of leaving) this.aggregator.removeInstrument(instrument);
    this.logger.info({ slots: lost.map(String), instruments: leaving.length }, 'slots handed over');
  }

  private async take(gained: readonly SlotRange[]): Promise<void> {
    let states = new Map<string, unknown>();
    try {
      states = await this.store.load(inRanges(gained));
    } catch (error) {
      this.logger.warn({ err: error }, 'saved aggregation states not readable: the slots start blank');
    }
    for (const [instrument, state] of states) {
      try {
        this.aggregator.importState(instrument, state);
        this.imported += 1;
        for (const source of this.aggregator.exportState(instrument)?.sources ?? [])
          if (source.book.status === 'awaiting_snapshot') this.bookLost(instrument, source.source);
      } catch (error) {
        this.logger.warn(
          { err: error, instrument },
          'saved aggregation state refused: the instrument starts blank',
        );
      }
    }
    this.owned.add(gained);
    this.logger.info({ slots: gained.map(String), instruments: states.size }, 'slots taken over');
  }

  private async save(instruments: readonly string[]): Promise<void> {
    const BATCH = 64;
    for (let i = 0; i < instruments.length; i += BATCH) {
      await Promise.all(
        instruments.slice(i, i + BATCH).map(async (instrument) => {
          const state = this.aggregator.exportState(instrument);
          if (state === undefined) return;
          try {
            await this.store.save(state);
            this.saved += 1;
          } catch (error) {
            this.logger.warn({ err: error, instrument }, 'aggregation state not saved');
          }
        }),
      );
    }
  }
}
