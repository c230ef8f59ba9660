import type { VenueSessionStatusV1 } from '@tm/contracts';
import type { Gauge } from 'prom-client';
import type { MetricsRegistry } from '@tm/telemetry';

const LABELS = ['venue', 'account'] as const;
const BREAKER_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Each venue session's health as gauges (what the 60 s snapshot and /metrics report): whether it is
 * Running, its reconnects, breaker state, round trip and clock offset. Refreshed every second.
 */
export class SessionMetrics {
  private readonly running: Gauge;
  private readonly reconnects: Gauge;
  private readonly breaker: Gauge;
  private readonly roundTrip: Gauge;
  private readonly clockOffset: Gauge;
  private timer: NodeJS.Timeout | undefined;

  constructor(registry: MetricsRegistry) {
    this.running = registry.gauge('tm_venue_session_running', '1 when the venue session is Running', LABELS);
    this.reconnects = registry.gauge('tm_venue_session_reconnects', 'Feed reconnects since start', LABELS);
    this.breaker = registry.gauge(
      'tm_venue_breaker_state',
      'Circuit breaker: 0 closed, 1 half-open, 2 open',
      LABELS,
    );
    this.roundTrip = registry.gauge(
      'tm_venue_round_trip_ms',
      'Round trip of the last server-time call',
      LABELS,
    );
    this.clockOffset = registry.gauge('tm_venue_server_time_offset_ms', 'Venue clock minus ours', LABELS);
  }

  start(statuses: () => VenueSessionStatusV1[]): void {
    const refresh = () => {
      for (const status of statuses()) {
        const labels = { venue: status.venue, account: status.account };
        this.running.set(labels, status.state === 'Running' ? 1 : 0);
        this.reconnects.set(labels, status.reconnects);
        this.breaker.set(labels, BREAKER_STATES[status.breaker]);
        if (status.roundTripMs !== null) this.roundTrip.set(labels, status.roundTripMs);
        if (status.serverTimeOffsetMs !== null) this.clockOffset.set(labels, status.serverTimeOffsetMs);
      }
    };
    refresh();
    this.timer = setInterval(refresh, 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
