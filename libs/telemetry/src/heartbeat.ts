// The control-plane pulse of one process: liveness beacons (core NATS) and metric snapshots (JetStream).
// Publishing is injected, so this lib does not depend on messaging.
import { hostname } from 'node:os';
import { nowMicros, type BeaconV1, type LifecycleState, type SnapshotV1, type Subjects } from '@tm/contracts';
import { CpuSampler } from './cpu-sampler.js';
import { EventLoopLagMonitor } from './event-loop-lag-monitor.js';

export interface HeartbeatOptions {
  service: string;
  instance: string;
  subjects: Subjects;
  beaconIntervalMs: number;
  snapshotIntervalMs: number;
  /** Micros. */
  startedAt: number;
  httpPort?: number;
  state: () => LifecycleState;
  gauges?: () => Promise<Record<string, number>> | Record<string, number>;
  /** Core NATS, fire and forget. */
  publishBeacon: (subject: string, beacon: BeaconV1) => void;
  /** JetStream: must not be lost. */
  publishSnapshot: (subject: string, snapshot: SnapshotV1) => void | Promise<void>;
  /** Receives every failure of a publish or of the gauges callback; the schedule goes on regardless. */
  onError?: (error: unknown) => void;
  /** Micros. */
  clock?: () => number;
}

export class Heartbeat {
  private readonly beaconSubject: string;
  private readonly snapshotSubject: string;
  private readonly clock: () => number;
  private readonly onError: (error: unknown) => void;
  private readonly lag = new EventLoopLagMonitor();
  private cpu = new CpuSampler();
  private beaconTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: HeartbeatOptions) {
    this.beaconSubject = opts.subjects.sysBeacon(opts.service, opts.instance);
    this.snapshotSubject = opts.subjects.sysSnapshot(opts.service, opts.instance);
    this.clock = opts.clock ?? nowMicros;
    // Without a handler a failure still surfaces (as a process warning) instead of vanishing.
    this.onError = opts.onError ?? ((error) => process.emitWarning(describe(error), 'HeartbeatWarning'));
  }

  start(): void {
    if (this.beaconTimer) return;
    // The first snapshot measures CPU and lag from here, not from construction.
    this.cpu = new CpuSampler();
    this.lag.reset();
    this.lag.start();
    this.sendBeacon();
    this.beaconTimer = setInterval(() => this.sendBeacon(), this.opts.beaconIntervalMs).unref();
    this.snapshotTimer = setInterval(() => void this.sendSnapshot(), this.opts.snapshotIntervalMs).unref();
  }

  stop(): void {
    clearInterval(this.beaconTimer);
    clearInterval(this.snapshotTimer);
    this.beaconTimer = undefined;
    this.snapshotTimer = undefined;
    this.lag.stop();
  }

  beaconNow(): BeaconV1 {
    const { service, instance, startedAt, httpPort } = this.opts;
    return {
      v: 1,
      service,
      instance,
      state: this.opts.state(),
      tsInit: this.clock(),
      startedAt,
      pid: process.pid,
      host: hostname(),
      ...(httpPort === undefined ? {} : { httpPort }),
    };
  }

  /** Builds the snapshot; CPU and event-loop lag cover the time since the previous one and restart from now. */
  async snapshotNow(): Promise<SnapshotV1> {
    const gauges = await this.collectGauges();
    const eventLoopLagMs = this.lag.percentiles();
    this.lag.reset();
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    return {
      v: 1,
      service: this.opts.service,
      instance: this.opts.instance,
      state: this.opts.state(),
      tsInit: this.clock(),
      cpuPercent: this.cpu.sample(),
      memory: { rssBytes: rss, heapUsedBytes: heapUsed, heapTotalBytes: heapTotal },
      eventLoopLagMs,
      gauges,
    };
  }

  private sendBeacon(): void {
    try {
      this.opts.publishBeacon(this.beaconSubject, this.beaconNow());
    } catch (error) {
      this.onError(error);
    }
  }

  private async sendSnapshot(): Promise<void> {
    try {
      await this.opts.publishSnapshot(this.snapshotSubject, await this.snapshotNow());
    } catch (error) {
      this.onError(error);
    }
  }

  /** A failing gauges callback costs the gauges, not the snapshot. */
  private async collectGauges(): Promise<Record<string, number>> {
    if (!this.opts.gauges) return {};
    try {
      const gauges = await this.opts.gauges();
      // NaN and ±Infinity have no JSON form (they would serialise as null and fail SnapshotV1).
      return Object.fromEntries(Object.entries(gauges).filter(([, value]) => Number.isFinite(value)));
    } catch (error) {
      this.onError(error);
      return {};
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
