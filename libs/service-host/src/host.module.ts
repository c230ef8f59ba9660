import { type DynamicModule, Global, Module, type Provider, type Type } from '@nestjs/common';
import type { Subjects } from '@tm/contracts';
import type { DeadLetterPublisher, NatsLink, ReliablePublisher } from '@tm/messaging';
import { MetricsRegistry, type Logger } from '@tm/telemetry';
import type { DataSource } from 'typeorm';
import { ApplicationLifecycle } from './application-lifecycle.js';
import { HealthController } from './health.controller.js';
import type { ServiceIdentity } from './service-definition.js';
import {
  DATA_SOURCE,
  DEAD_LETTERS,
  LOGGER,
  NATS_LINK,
  RELIABLE_PUBLISHER,
  SERVICE_CONFIG,
  SERVICE_IDENTITY,
  SUBJECTS,
} from './tokens.js';

export interface HostContext {
  config: object;
  identity: ServiceIdentity;
  logger: Logger;
  link: NatsLink;
  dataSource: DataSource;
  publisher: ReliablePublisher;
  deadLetters: DeadLetterPublisher;
  subjects: Subjects;
  lifecycle: ApplicationLifecycle;
  metrics: MetricsRegistry;
  controlController: Type<unknown>;
}

/** What the host gives every service module: its config, connections, lifecycle and metrics, by token. */
@Global()
@Module({})
export class HostModule {
  static forRoot(context: HostContext): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: context.config },
      { provide: SERVICE_IDENTITY, useValue: context.identity },
      { provide: LOGGER, useValue: context.logger },
      { provide: NATS_LINK, useValue: context.link },
      { provide: DATA_SOURCE, useValue: context.dataSource },
      { provide: RELIABLE_PUBLISHER, useValue: context.publisher },
      { provide: DEAD_LETTERS, useValue: context.deadLetters },
      { provide: SUBJECTS, useValue: context.subjects },
      { provide: ApplicationLifecycle, useValue: context.lifecycle },
      { provide: MetricsRegistry, useValue: context.metrics },
    ];
    return {
      module: HostModule,
      controllers: [HealthController, context.controlController],
      providers,
      exports: providers,
    };
  }
}
