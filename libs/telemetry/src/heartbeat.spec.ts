import { BeaconV1, createSubjects, SnapshotV1, type LifecycleState } from '@tm/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';

const subjects = createSubjects('hbtest');
const BEACON_MS = 10_000;
const SNAPSHOT_MS = 60_000;

function heartbeat(overrides: Partial<HeartbeatOptions> = {}) {
  const beacons: { subject: string; payload: BeaconV1 }[] = [];
  const snapshots: { subject: string; payload: SnapshotV1 }[] = [];
  const errors: unknown[] = [];
  let state: LifecycleState = 'Running';
  const hb = new Heartbeat({
    service: 'aggregator',
    instance: 'agg-1',
    subjects,
    beaconIntervalMs: BEACON_MS,
    snapshotIntervalMs: SNAPSHOT_MS,
    startedAt: 1_700_000_000_000_000,
    httpPort: 8080,
    state: () => state,
    gauges: () => ({ 'ticks_per_s{venue="binance"}': 120, queue_depth: 3 }),
    publishBeacon: (subject, payload) => void beacons.push({ subject, payload }),
    publishSnapshot: (subject, payload) => void snapshots.push({ subject, payload }),
    onError: (error) => void errors.push(error),
    ...overrides,
  });
  return { hb, beacons, snapshots, errors, setState: (next: LifecycleState) => (state = next) };
}

describe('Heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a beacon at once and every beacon interval, to sysBeacon, valid as BeaconV1', async () => {
    const { hb, beacons, setState } = heartbeat();
    hb.start();
    expect(beacons).toHaveLength(1);
    setState('Paused');
    await vi.advanceTimersByTimeAsync(3 * BEACON_MS);
    hb.stop();

    expect(beacons).toHaveLength(4);
    for (const { subject, payload } of beacons) {
      expect(subject).toBe(subjects.sysBeacon('aggregator', 'agg-1'));
      expect(BeaconV1.parse(payload)).toEqual(payload);
      expect(payload).toMatchObject({
        service: 'aggregator',
        instance: 'agg-1',
        pid: process.pid,
        httpPort: 8080,
      });
      expect(payload.startedAt).toBe(1_700_000_000_000_000);
    }
    expect(beacons[0]?.payload.state).toBe('Running');
    expect(beacons[3]?.payload.state).toBe('Paused');
  });

  it('sends a snapshot after each snapshot interval (not at start), to sysSnapshot, valid as SnapshotV1', async () => {
    const { hb, snapshots } = heartbeat();
    hb.start();
    expect(snapshots).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(SNAPSHOT_MS - 1);
    expect(snapshots).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1 + SNAPSHOT_MS);
    hb.stop();

    expect(snapshots).toHaveLength(2);
    for (const { subject, payload } of snapshots) {
      expect(subject).toBe(subjects.sysSnapshot('aggregator', 'agg-1'));
      expect(SnapshotV1.parse(payload)).toEqual(payload);
      expect(payload.gauges).toEqual({ 'ticks_per_s{venue="binance"}': 120, queue_depth: 3 });
      expect(payload.memory.rssBytes).toBeGreaterThan(0);
      expect(payload.memory.heapUsedBytes).toBeGreaterThan(0);
    }
  });

  it('stops both schedules on stop()', async () => {
    const { hb, beacons, snapshots } = heartbeat();
    hb.start();
    await vi.advanceTimersByTimeAsync(SNAPSHOT_MS);
    const counts = [beacons.length, snapshots.length];
    hb.stop();
    await vi.advanceTimersByTimeAsync(5 * SNAPSHOT_MS);

    expect(counts).toEqual([7, 1]);
    expect([beacons.length, snapshots.length]).toEqual(counts);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps both schedules going when the publishers throw or reject, reporting each failure', async () => {
    let beaconCalls = 0;
    let snapshotCalls = 0;
    const { hb, errors } = heartbeat({
      publishBeacon: () => {
        beaconCalls += 1;
        throw new Error('core publish failed');
      },
      publishSnapshot: async () => {
        snapshotCalls += 1;
        throw new Error('jetstream publish failed');
      },
    });
    hb.start();
    await vi.advanceTimersByTimeAsync(2 * SNAPSHOT_MS);
    hb.stop();

    expect(beaconCalls).toBe(13);
    expect(snapshotCalls).toBe(2);
    expect(errors).toHaveLength(15);
    expect(errors.filter((e) => e instanceof Error && e.message === 'jetstream publish failed')).toHaveLength(
      2,
    );
  });

  it('sends the snapshot with empty gauges when the gauges callback fails, and keeps the schedule', async () => {
    const { hb, snapshots, errors } = heartbeat({
      gauges: async () => {
        throw new Error('gauge source down');
      },
    });
    hb.start();
    await vi.advanceTimersByTimeAsync(2 * SNAPSHOT_MS);
    hb.stop();

    expect(snapshots.map((s) => s.payload.gauges)).toEqual([{}, {}]);
    expect(snapshots.every((s) => SnapshotV1.safeParse(s.payload).success)).toBe(true);
    expect(errors).toEqual([new Error('gauge source down'), new Error('gauge source down')]);
  });

  it('drops gauges that have no JSON number form', async () => {
    const { hb } = heartbeat({ gauges: () => ({ ok: 1, nan: Number.NaN, inf: Number.POSITIVE_INFINITY }) });
    const snapshot = await hb.snapshotNow();
    expect(snapshot.gauges).toEqual({ ok: 1 });
    expect(SnapshotV1.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
  });

  it('stamps tsInit from the injected clock and leaves httpPort out when there is none', async () => {
    const { hb } = heartbeat({ clock: () => 42, httpPort: undefined });
    expect(hb.beaconNow()).not.toHaveProperty('httpPort');
    expect(hb.beaconNow().tsInit).toBe(42);
    await expect(hb.snapshotNow()).resolves.toMatchObject({ tsInit: 42 });
  });
});
