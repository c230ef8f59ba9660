import { CcxtVenueAdapter, PaperVenue, type CcxtThrottle, type VenueAdapter } from '@tm/venues';
import type { VenueAccountConfig } from '../config/venue-account.config.js';
import type { CredentialStore } from '../credentials/credential-store.js';

/**
 * Builds the adapter of one configured venue account: the built-in paper venue (one simulated
 * exchange per process, shared by its paper accounts), or ccxt with keys resolved by reference.
 */
export class VenueAdapterFactory {
  private paper: PaperVenue | undefined;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly paperStepMs: number,
  ) {}

  create(config: VenueAccountConfig, throttle: CcxtThrottle): VenueAdapter {
    if (config.venue === 'paper') {
      // Every paper account starts with the paper venue's starting balances.
      return this.sharedPaperVenue().adapter(config.account);
    }
    const credential = config.credential ? this.credentials.resolve(config.credential) : undefined;
    return new CcxtVenueAdapter({
      exchangeId: config.venue,
      ...(credential ? { credentials: credential.keys() } : {}),
      ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
      enableRateLimit: config.ccxtRateLimit,
      defaultType: config.defaultType,
      throttle,
    });
  }

  /** The paper venue, when one is configured: its market makers run while the service runs. */
  get paperVenue(): PaperVenue | undefined {
    return this.paper;
  }

  private sharedPaperVenue(): PaperVenue {
    this.paper ??= new PaperVenue({ stepIntervalMs: this.paperStepMs });
    return this.paper;
  }
}
