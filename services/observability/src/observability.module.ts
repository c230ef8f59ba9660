import { Module } from '@nestjs/common';

/** observability: snapshots, node health, breakers, the replay table, the cost ledger and log buffers. The host gives it lifecycle, control, health and connections; its features land with issue 9. */
@Module({})
export class ObservabilityModule {}
