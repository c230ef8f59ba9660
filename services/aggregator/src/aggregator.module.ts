import { Module } from '@nestjs/common';
import { AggregatorService } from './aggregation/aggregator.service.js';

/** aggregator: the hot path: per-instrument state of the owned slots, computed every 100 ms and broadcast every 500 ms. */
@Module({ providers: [AggregatorService] })
export class AggregatorModule {}
