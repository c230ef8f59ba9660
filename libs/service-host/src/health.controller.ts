import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { MetricsRegistry } from '@tm/telemetry';
import { ApplicationLifecycle } from './application-lifecycle.js';

/** `/health` = the process answers (liveness); `/ready` = lifecycle Running (readiness); `/metrics` = prom-client. */
@Controller()
export class HealthController {
  constructor(
    @Inject(ApplicationLifecycle) private readonly lifecycle: ApplicationLifecycle,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
  ) {}

  @Get('health')
  health() {
    const status = this.lifecycle.status();
    return {
      status: 'ok',
      service: status.service,
      instance: status.instance,
      state: status.state,
      dependencies: status.dependencies,
    };
  }

  @Get('ready')
  ready() {
    const status = this.lifecycle.status();
    const body = {
      ready: status.state === 'Running',
      state: status.state,
      reason: status.reason,
      dependencies: status.dependencies,
    };
    if (!body.ready) throw new ServiceUnavailableException(body);
    return body;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.metrics();
  }
}
