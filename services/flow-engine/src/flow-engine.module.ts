import { Module } from '@nestjs/common';
import { FlowEngineService } from './engine/flow-engine.service.js';

/** flow-engine: the seven trading verbs as durable, idempotent, audited flows. */
@Module({ providers: [FlowEngineService] })
export class FlowEngineModule {}
