import type { VenuePosition } from '../venue-types.js';

export interface FetchPositionsRequest {
  /** All positions when absent. */
  instruments?: string[];
}

export interface FetchPositionsOperation {
  /** Spot venues have no positions: []. */
  fetchPositions(request: FetchPositionsRequest): Promise<VenuePosition[]>;
}
