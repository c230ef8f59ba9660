import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AggregationStateV1 } from '@tm/aggregation';
import { instrumentSlot } from '@tm/sharding';

/**
 * The last saved state of each instrument, in a KV bucket keyed by instrument, so the instance that
 * takes a slot over resumes its candles, VWAP, rates and feed comparisons instead of starting blank.
 * Books are saved empty: deltas missed during the handover make a saved book untrustworthy, so the next
 * owner waits for each source's next snapshot either way.
 */
const LOAD_BATCH = 128;

export class AggregationStateStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, bucket: string): Promise<AggregationStateStore> {
    return new AggregationStateStore(await new Kvm(nc).create(bucket, { history: 1 }));
  }

  async save(state: AggregationStateV1): Promise<void> {
    await this.kv.put(keyOf(state.instrument), JSON.stringify(withoutBookLevels(state)));
  }

  /** Saved states of the instruments whose slot `wanted` accepts, by instrument; unreadable entries are skipped. */
  async load(wanted: (slot: number) => boolean): Promise<Map<string, unknown>> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys())
      if (wanted(instrumentSlot(instrumentOf(key)))) keys.push(key);
    keys.sort();
    const states = new Map<string, unknown>();
    // Fetched in parallel batches: a slot move waits for this, and each key is a round trip.
    for (let i = 0; i < keys.length; i += LOAD_BATCH) {
      const entries = await Promise.all(keys.slice(i, i + LOAD_BATCH).map((key) => this.kv.get(key)));
      for (const entry of entries) {
        if (entry === null || entry.operation !== 'PUT') continue;
        try {
          states.set(instrumentOf(entry.key), entry.json());
        } catch {
          // Not JSON: importState would refuse it too; the instrument starts blank.
        }
      }
    }
    return states;
  }
}

/** KV keys take letters, digits and `-/_=.`: a linear perpetual's `:` is stored as `=`. */
function keyOf(instrument: string): string {
  return instrument.replaceAll(':', '=');
}

function instrumentOf(key: string): string {
  return key.replaceAll('=', ':');
}

function withoutBookLevels(state: AggregationStateV1): AggregationStateV1 {
  return {
    ...state,
    sources: state.sources.map((source) => ({
      ...source,
      book: {
        ...source.book,
        status: source.book.status === 'none' ? 'none' : 'awaiting_snapshot',
        bids: [],
        asks: [],
      },
    })),
  };
}
