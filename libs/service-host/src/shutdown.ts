import type { INestApplication } from '@nestjs/common';
import type { NatsLink, ReliablePublisher } from '@tm/messaging';
import type { Heartbeat, Logger } from '@tm/telemetry';
import type { DataSource } from 'typeorm';
import type { ApplicationLifecycle } from './application-lifecycle.js';
import type { DependencyWatch } from './dependency-watch.js';
import type { LifecycleOutbox } from './lifecycle-outbox.js';

export interface DrainTargets {
  lifecycle: ApplicationLifecycle;
  app: INestApplication;
  heartbeat: Heartbeat;
  watch: DependencyWatch;
  publisher: ReliablePublisher;
  link: NatsLink;
  dataSource: DataSource;
  logger: Logger;
  drainTimeoutMs: number;
}

let draining: Promise<void> | undefined;

/**
 * SIGTERM/SIGINT, once: a running service drains; one still starting records why it left
 * (Deploying/Waiting → … → Exited) and exits.
 */
export class ProcessShutdown {
  private targets: DrainTargets | undefined;
  private stopRequested = false;

  constructor(
    private readonly lifecycle: ApplicationLifecycle,
    private readonly outbox: LifecycleOutbox,
    private readonly logger: Logger,
  ) {}

  get requested(): boolean {
    return this.stopRequested;
  }

  listen(): void {
    process.once('SIGTERM', (signal) => this.onSignal(signal));
    process.once('SIGINT', (signal) => this.onSignal(signal));
  }

  ready(targets: DrainTargets): void {
    this.targets = targets;
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.logger.info({ signal }, 'shutdown requested');
    void (this.targets ? drainAndExit(this.targets, signal) : this.exitDuringStart(signal));
  }

  private async exitDuringStart(signal: string): Promise<void> {
    await this.lifecycle.serialize(() => {
      if (this.lifecycle.state === 'Init') return;
      if (this.lifecycle.tryTransition('Stopping', `${signal} during start`))
        this.lifecycle.tryTransition('Stopped', signal);
      else this.lifecycle.tryTransition('Error', `${signal} during start`);
      this.lifecycle.tryTransition('Exited', signal);
    });
    await this.outbox.publisher?.flush(1_000);
    process.exit(0);
  }
}

/**
 * Stopping → Stopped → Exited within the drain timeout: features drain their in-flight work, the
 * HTTP and NATS handlers close, every recorded transition is flushed to JetStream, then the
 * connections close. Past the deadline the process exits anyway, with code 1.
 */
export function drainAndExit(targets: DrainTargets, signal: string): Promise<void> {
  draining ??= drain(targets, signal);
  return draining;
}

async function drain(targets: DrainTargets, signal: string): Promise<void> {
  const { lifecycle, logger } = targets;
  const deadline = Date.now() + targets.drainTimeoutMs;
  const forced = setTimeout(() => {
    logger.error({ signal, drainTimeoutMs: targets.drainTimeoutMs }, 'drain timed out; exiting');
    process.exit(1);
  }, targets.drainTimeoutMs);
  forced.unref();
  const remaining = () => Math.max(0, deadline - Date.now());

  targets.watch.stop();
  await lifecycle.serialize(async () => {
    const reason = `${signal}: draining`;
    if (lifecycle.state === 'Deployed') {
      lifecycle.machine.transition('Undeploying', reason);
      lifecycle.machine.transition('Undeployed', reason);
    } else if (lifecycle.state !== 'Stopped' && lifecycle.state !== 'Parked') {
      if (!lifecycle.tryTransition('Stopping', reason))
        lifecycle.tryTransition('Error', `${signal} in ${lifecycle.state}`);
      lifecycle.tryTransition('Stopping', reason);
      lifecycle.transitionWorkFeatures('Stopping', reason);
      for (const hooks of lifecycle.workFeatureHooks()) {
        try {
          await hooks.drain?.(deadline);
        } catch (error) {
          logger.error({ err: error }, 'feature drain failed');
        }
      }
      lifecycle.transitionWorkFeatures('Stopped', reason);
    }
    targets.heartbeat.stop();
    await targets.app.close();
    lifecycle.tryTransition('Stopped', reason);
    for (const feature of lifecycle.allFeatureMachines()) {
      if (feature.canTransition('Stopping')) feature.transition('Stopping', reason);
      if (feature.canTransition('Stopped')) feature.transition('Stopped', reason);
      if (feature.canTransition('Exited')) feature.transition('Exited', reason);
    }
    lifecycle.tryTransition('Exited', signal);
  });

  const flushed = await targets.publisher.flush(remaining());
  if (!flushed)
    logger.warn({ pending: targets.publisher.pending }, 'exiting with lifecycle events not yet acknowledged');
  targets.publisher.close();
  await Promise.race([
    targets.link.close(),
    new Promise((resolve) => setTimeout(resolve, Math.min(remaining(), 2_000))),
  ]);
  await targets.dataSource.destroy().catch(() => undefined);
  logger.info({ signal }, 'exited');
  clearTimeout(forced);
  process.exit(0);
}
