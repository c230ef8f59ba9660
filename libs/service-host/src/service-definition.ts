import type { Type } from '@nestjs/common';
import type { ConfigSpec } from '@tm/config';
import type { ServiceName } from '@tm/contracts';
import type { SqlMigration } from '@tm/persistence';
import type { hostedConfigSpec } from './hosted-config.js';

/** Every service's config carries the platform fields and where its HTTP endpoints listen. */
export type HostedConfigSpec = ReturnType<typeof hostedConfigSpec>;

/** What a service tells the host: its name, its config, its own schema and migrations, its Nest module. */
export interface ServiceDefinition<S extends HostedConfigSpec & ConfigSpec = HostedConfigSpec> {
  readonly name: ServiceName;
  readonly configSpec: S;
  /** The PostgreSQL schema the service owns; no other service writes it. */
  readonly schema: string;
  /** The service's own migrations; the host adds tm_slot to every schema. */
  readonly migrations: readonly SqlMigration[];
  readonly module: Type<unknown>;
}

export interface ServiceIdentity {
  readonly service: ServiceName;
  readonly instance: string;
  readonly startedAt: number;
}
