import { Module } from '@nestjs/common';

/** aggregator: the hot path: per-instrument state computed every 100 ms and broadcast every 500 ms. The host gives it lifecycle, control, health and connections; its features land with issue 4. */
@Module({})
export class AggregatorModule {}
