import type { VenueInstrument } from '../venue-types.js';

export type FetchInstrumentsRequest = Record<string, never>;

export interface FetchInstrumentsOperation {
  /** Every instrument the venue lists (after connect), with its tick, lot and minimums. */
  fetchInstruments(): Promise<VenueInstrument[]>;
}
