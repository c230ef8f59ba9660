import { Module } from '@nestjs/common';

/** persister: the cold path: durable consumption of JetStream streams into PostgreSQL in 5,000-row batches. The host gives it lifecycle, control, health and connections; its features land with issue 6. */
@Module({})
export class PersisterModule {}
