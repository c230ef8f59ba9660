import { Module } from '@nestjs/common';
import { PersistenceService } from './consumption/persistence.service.js';

/** persister: the cold path: durable consumption of JetStream streams into PostgreSQL in 5,000-row batches, and the digest. */
@Module({ providers: [PersistenceService] })
export class PersisterModule {}
