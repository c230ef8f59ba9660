import { Module } from '@nestjs/common';

/** flow-engine: the seven trading verbs as durable, idempotent, audited flows. The host gives it lifecycle, control, health and connections; its features land with issue 7. */
@Module({})
export class FlowEngineModule {}
