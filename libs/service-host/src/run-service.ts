import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig, type ConfigOf, type ConfigSpec } from '@tm/config';
import { createStreams, createSubjects, encodePayload, nowMicros } from '@tm/contracts';
import { LifecycleRecorder } from '@tm/lifecycle';
import {
  DeadLetterPublisher,
  provisionStream,
  ReliablePublisher,
  ReplyErrorFilter,
  TmNatsTransport,
} from '@tm/messaging';
import { createServiceDataSource, PostgresProbe, runMigrations } from '@tm/persistence';
import { tmSlotMigration } from '@tm/sharding';
import { createLogger, Heartbeat, MetricsRegistry, type Logger } from '@tm/telemetry';
import type { DataSource } from 'typeorm';
import { ApplicationLifecycle } from './application-lifecycle.js';
import { readTlsFiles, type TlsFiles } from './tls-files.js';
import { BootProbeServer } from './boot-probe.server.js';
import { connectNats } from './nats-connection.js';
import { controlControllerFor } from './control.controller.js';
import { DependencyWatch } from './dependency-watch.js';
import { HostModule } from './host.module.js';
import { PinoNestLogger } from './pino-nest-logger.js';
import type { HostedConfigSpec, ServiceDefinition, ServiceIdentity } from './service-definition.js';
import { LifecycleOutbox } from './lifecycle-outbox.js';
import { drainAndExit, ProcessShutdown, type DrainTargets } from './shutdown.js';

/** How long a dependency may be unreachable at start before the application says it is Waiting. */
const WAITING_AFTER_MS = 2_000;

export interface RunningService {
  readonly lifecycle: ApplicationLifecycle;
  readonly app: INestApplication;
  /** Drains and exits the process (what SIGTERM does). */
  shutdown(signal: string): Promise<void>;
}

/**
 * Boots one service process: config → NATS → PostgreSQL (+ migrations, once, under a lock) → Nest
 * (HTTP health/ready/metrics + NATS control) → Running, then beacons, snapshots and dependency watch.
 * A dependency missing at start or later puts the application in Waiting until it returns; SIGTERM
 * drains through Stopping → Stopped → Exited within the drain timeout.
 */
export async function runService<S extends HostedConfigSpec & ConfigSpec>(
  definition: ServiceDefinition<S>,
): Promise<RunningService> {
  const serviceConfig = loadServiceConfig(definition);
  // S extends the hosted spec, so its loaded config has every hosted field; TypeScript cannot see through ConfigOf<S>.
  const config = serviceConfig as unknown as ConfigOf<HostedConfigSpec>;
  const identity: ServiceIdentity = {
    service: definition.name,
    instance: config.instanceId,
    startedAt: nowMicros(),
  };
  const logger = createLogger({
    service: identity.service,
    instance: identity.instance,
    level: config.logLevel,
  });
  const subjects = createSubjects(config.subjectRoot);
  const streams = createStreams(config.subjectRoot);

  const outbox = new LifecycleOutbox();
  const recorder = new LifecycleRecorder({
    service: identity.service,
    instance: identity.instance,
    subjects,
    publish: (subject, event) => outbox.publish(subject, event),
    onPublishError: (error) => logger.warn({ err: error }, 'lifecycle event not published'),
  });
  const lifecycle = new ApplicationLifecycle(identity, recorder);
  lifecycle.httpPort = config.httpPort;
  lifecycle.machine.onTransition((record) =>
    logger.info(
      { from: record.from, to: record.to, reason: record.reason },
      `lifecycle ${record.from} → ${record.to}`,
    ),
  );
  const natsFeature = lifecycle.registerDependency('nats');
  const postgresFeature = lifecycle.registerDependency('postgres');

  const shutdown = new ProcessShutdown(lifecycle, outbox, logger);
  shutdown.listen();

  let tls: TlsFiles | undefined;
  try {
    tls = readTlsFiles(config.tlsCertFile, config.tlsKeyFile);
  } catch (error) {
    refuseStart(definition.name, error);
  }

  lifecycle.machine.transition('Deploying', 'process started');
  const bootProbe = await BootProbeServer.listen(lifecycle, config.httpPort, config.httpHost, tls).catch(
    (error: Error) => {
      process.stderr.write(
        `${definition.name} refused to start: cannot listen on ${config.httpHost}:${config.httpPort}: ${error.message}\n`,
      );
      process.exit(1);
    },
  );
  natsFeature.transition('Deploying', 'connecting');
  const link = await awaitDependency(
    connectNats(config, `${identity.service}/${identity.instance}`, logger),
    lifecycle,
    natsFeature,
    `NATS unreachable at ${config.natsServers.join(',')}`,
  );
  natsFeature.transition('Deployed', 'connected');
  natsFeature.transition('Running', 'connected');
  await lifecycle.setDependency('nats', { up: true });

  const publisher = new ReliablePublisher(link, {
    onError: (error) =>
      logger.warn({ detail: (error as Error).message }, 'JetStream publish will be retried'),
  });
  const jsm = await link.jetstreamManager();
  await provisionStream(jsm, streams.SYS);
  await provisionStream(jsm, streams.DLQ);
  outbox.connect(publisher);

  postgresFeature.transition('Deploying', 'connecting');
  const dataSource = createServiceDataSource({
    url: config.databaseUrl,
    schema: definition.schema,
    applicationName: `${identity.service}/${identity.instance}`,
    migrations: [tmSlotMigration, ...definition.migrations],
    poolSize: config.databasePoolSize,
    acquireTimeoutMs: config.databaseAcquireTimeoutMs,
  });
  await initialiseDatabase(
    dataSource,
    lifecycle,
    postgresFeature,
    config.dependencyCheckMs,
    logger,
    () => shutdown.requested,
  );
  // tm_slot first, whatever the service's migration ids: their CHECK constraints call it.
  const applied: string[] = [];
  for (const migrations of [[tmSlotMigration], definition.migrations])
    applied.push(...(await runMigrations(dataSource, { schema: definition.schema, migrations })).applied);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  postgresFeature.transition('Deployed', 'connected');
  postgresFeature.transition('Running', 'connected');
  await lifecycle.setDependency('postgres', { up: true });

  const metrics = new MetricsRegistry({ service: identity.service, instance: identity.instance });
  const deadLetters = new DeadLetterPublisher({
    publisher,
    subjects,
    service: identity.service,
    instance: identity.instance,
  });
  const controlController = controlControllerFor(subjects, identity);

  @Module({
    imports: [
      HostModule.forRoot({
        config: serviceConfig,
        identity,
        logger,
        link,
        dataSource,
        publisher,
        deadLetters,
        subjects,
        lifecycle,
        metrics,
        controlController,
      }),
      definition.module,
    ],
  })
  class ServiceRootModule {}

  const app = await NestFactory.create(ServiceRootModule, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    ...(tls === undefined ? {} : { httpsOptions: tls }),
  });
  // The filter keeps a handler error's code (ILLEGAL_TRANSITION, UNSUPPORTED) in the reply instead of INTERNAL.
  app.useGlobalFilters(new ReplyErrorFilter());
  app.connectMicroservice(
    { strategy: new TmNatsTransport({ link, deadLetters, logger }) },
    { inheritAppConfig: true },
  );
  // Module init runs here; configuration a service can only check then (a venue's credential)
  // refuses the start the same way as a bad variable.
  try {
    await app.startAllMicroservices();
    await bootProbe.close();
    await app.listen(config.httpPort, config.httpHost);
  } catch (error) {
    refuseStart(definition.name, error);
  }
  const address = app.getHttpServer().address();
  if (address && typeof address === 'object') lifecycle.httpPort = address.port;

  await lifecycle.serialize(() => {
    lifecycle.machine.transition('Deployed', 'ready to serve');
    lifecycle.transitionWorkFeatures('Deploying', 'deploying');
    lifecycle.transitionWorkFeatures('Deployed', 'deployed');
    lifecycle.transitionWorkFeatures('Running', 'started');
    lifecycle.machine.transition('Running', 'started');
  });
  logger.info({ httpPort: lifecycle.httpPort }, `${identity.service} running`);

  const heartbeat = new Heartbeat({
    service: identity.service,
    instance: identity.instance,
    subjects,
    beaconIntervalMs: config.beaconIntervalMs,
    snapshotIntervalMs: config.snapshotIntervalMs,
    startedAt: identity.startedAt,
    ...(lifecycle.httpPort !== undefined ? { httpPort: lifecycle.httpPort } : {}),
    state: () => lifecycle.state,
    gauges: () => metrics.gaugeValues(),
    publishBeacon: (subject, beacon) => link.connection.publish(subject, encodePayload(beacon)),
    publishSnapshot: (subject, snapshot) =>
      publisher.publish(subject, snapshot, `${subject}.${snapshot.tsInit}`).catch(() => undefined),
    onError: (error) => logger.warn({ err: error }, 'heartbeat failed'),
  });
  heartbeat.start();
  const watch = new DependencyWatch(
    lifecycle,
    link,
    new PostgresProbe(dataSource),
    config.dependencyCheckMs,
    logger,
  );
  watch.start();

  const targets: DrainTargets = {
    lifecycle,
    app,
    heartbeat,
    watch,
    publisher,
    link,
    dataSource,
    logger,
    drainTimeoutMs: config.drainTimeoutMs,
  };
  shutdown.ready(targets);
  return { lifecycle, app, shutdown: (signal) => drainAndExit(targets, signal) };
}

function loadServiceConfig<S extends HostedConfigSpec & ConfigSpec>(
  definition: ServiceDefinition<S>,
): ConfigOf<S> {
  try {
    return loadConfig(definition.configSpec);
  } catch (error) {
    return refuseStart(definition.name, error);
  }
}

/** Bad configuration ends the process with EX_CONFIG and the problems; anything else is rethrown. */
function refuseStart(service: string, error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${service} refused to start: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

/** Waits for a connection; past WAITING_AFTER_MS the application and the feature show Waiting with the reason. */
async function awaitDependency<T>(
  connecting: Promise<T>,
  lifecycle: ApplicationLifecycle,
  feature: ApplicationLifecycle['machine'],
  reason: string,
): Promise<T> {
  let waiting = false;
  const timer = setTimeout(() => {
    waiting = true;
    void lifecycle.serialize(() => {
      feature.transition('Waiting', reason);
      lifecycle.tryTransition('Waiting', reason);
    });
  }, WAITING_AFTER_MS);
  try {
    return await connecting;
  } finally {
    clearTimeout(timer);
    if (waiting) {
      await lifecycle.serialize(() => {
        feature.transition('Deploying', 'connected');
        lifecycle.tryTransition('Deploying', 'dependency available');
      });
    }
  }
}

async function initialiseDatabase(
  dataSource: DataSource,
  lifecycle: ApplicationLifecycle,
  feature: ApplicationLifecycle['machine'],
  retryMs: number,
  logger: Logger,
  stopping: () => boolean,
): Promise<void> {
  let waiting = false;
  for (;;) {
    try {
      await dataSource.initialize();
      break;
    } catch (error) {
      if (stopping()) throw error;
      const reason = `PostgreSQL unreachable: ${(error as Error).message}`;
      if (!waiting) {
        logger.warn({ retryMs }, reason);
        waiting = true;
        await lifecycle.serialize(() => {
          feature.transition('Waiting', reason);
          lifecycle.tryTransition('Waiting', reason);
        });
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  if (waiting) {
    await lifecycle.serialize(() => {
      feature.transition('Deploying', 'connected');
      lifecycle.tryTransition('Deploying', 'dependency available');
    });
  }
}
