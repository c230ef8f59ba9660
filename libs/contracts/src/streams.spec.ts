import { describe, expect, it } from 'vitest';
import { createBuckets, createStreams } from './streams.js';

describe('createStreams', () => {
  it('names the streams <ROOT>_<KIND> under the default root', () => {
    const streams = createStreams();
    expect(Object.keys(streams).sort()).toEqual(['DLQ', 'EXEC', 'FLOW', 'MD', 'PUSH', 'SYS']);
    for (const [kind, spec] of Object.entries(streams)) expect(spec.name).toBe(`TM_${kind}`);
  });

  it('gives a test root streams of its own, capturing that root only', () => {
    const streams = createStreams('t1a2b3c4d');
    expect(streams.MD).toEqual({
      name: 'T1A2B3C4D_MD',
      subjects: [
        't1a2b3c4d.md.tick.*',
        't1a2b3c4d.md.trade.*',
        't1a2b3c4d.md.book.*',
        't1a2b3c4d.md.candle.*',
        't1a2b3c4d.md.arb.*',
      ],
      maxAgeMs: 86_400_000,
    });
    expect(streams.EXEC).toMatchObject({ name: 'T1A2B3C4D_EXEC', subjects: ['t1a2b3c4d.exec.*'] });
    expect(streams.FLOW).toMatchObject({ name: 'T1A2B3C4D_FLOW', subjects: ['t1a2b3c4d.flow.event.*'] });
    expect(streams.SYS).toMatchObject({
      name: 'T1A2B3C4D_SYS',
      subjects: ['t1a2b3c4d.sys.lifecycle.>', 't1a2b3c4d.sys.snapshot.>'],
    });
    expect(streams.DLQ).toMatchObject({ name: 'T1A2B3C4D_DLQ', subjects: ['t1a2b3c4d.dlq.>'] });
    // At least the product's backfill of 50 events per topic.
    expect(streams.PUSH).toMatchObject({ name: 'T1A2B3C4D_PUSH', subjects: ['t1a2b3c4d.push.>'] });
    expect(streams.PUSH.maxMsgsPerSubject).toBeGreaterThanOrEqual(50);
  });

  it('keeps live-only traffic (aggregates, beacons, logs) out of JetStream', () => {
    const captured = Object.values(createStreams('tm')).flatMap((spec) => spec.subjects);
    expect(captured).not.toContain('tm.md.agg.*');
    expect(captured).not.toContain('tm.md.snapshot.*');
    expect(captured).not.toContain('tm.sys.beacon.>');
    expect(captured).not.toContain('tm.sys.log.>');
  });

  it('refuses a bad root like the subjects do', () => {
    expect(() => createStreams('TM')).toThrow('subject root "TM" must match');
  });
});

describe('createBuckets', () => {
  it('names buckets after the root, like streams', () => {
    expect(createBuckets('tm')).toEqual({
      VENUE_BUDGET: 'TM_VENUE_BUDGET',
      VENUE_SESSIONS: 'TM_VENUE_SESSIONS',
      AGGREGATOR_MEMBERS: 'TM_AGGREGATOR_MEMBERS',
      PERSISTER_MEMBERS: 'TM_PERSISTER_MEMBERS',
      FLOW_ENGINE_MEMBERS: 'TM_FLOW_ENGINE_MEMBERS',
      AGGREGATION_STATE: 'TM_AGGREGATION_STATE',
    });
    expect(createBuckets('t1abc').VENUE_BUDGET).toBe('T1ABC_VENUE_BUDGET');
    expect(() => createBuckets('Bad')).toThrow('subject root "Bad" must match');
  });
});
