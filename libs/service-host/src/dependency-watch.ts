import type { NatsLink } from '@tm/messaging';
import type { PostgresProbe } from '@tm/persistence';
import type { Logger } from '@tm/telemetry';
import type { ApplicationLifecycle } from './application-lifecycle.js';

/**
 * Watches NATS (connection status events) and PostgreSQL (a probe every interval) once the service
 * runs, and moves the application to Waiting and back as they go and return.
 */
export class DependencyWatch {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private probing = false;
  private postgresUp = true;

  constructor(
    private readonly lifecycle: ApplicationLifecycle,
    private readonly link: NatsLink,
    private readonly probe: PostgresProbe,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.link.onStatus((status, detail) => {
      void this.lifecycle.setDependency('nats', { up: status === 'up', ...(detail ? { detail } : {}) });
    });
    this.timer = setInterval(() => void this.probePostgres(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  private async probePostgres(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      const result = await this.probe.check(Math.max(500, this.intervalMs));
      if (result.up !== this.postgresUp)
        this.logger.warn({ detail: result.detail }, `PostgreSQL ${result.up ? 'up' : 'down'}`);
      this.postgresUp = result.up;
      await this.lifecycle.setDependency('postgres', result);
    } finally {
      this.probing = false;
    }
  }
}
