// Idempotent JetStream provisioning: every replica may run it at start, at the same time.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  StorageType,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { StreamSpec } from '@tm/contracts';

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_NOT_FOUND = 10014;

function hasApiCode(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

async function streamInfoOrNull(jsm: JetStreamManager, name: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (hasApiCode(error, STREAM_NOT_FOUND)) return null;
    throw error;
  }
}

function sameSubjects(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
}

/**
 * Adds the stream when missing, updates it when its subjects or max age differ, leaves it alone otherwise.
 * Safe when several processes race: a lost add race ("stream name already in use") re-reads and compares.
 */
export async function provisionStream(
  jsm: JetStreamManager,
  spec: StreamSpec,
  opts: { replicas?: number; storage?: 'file' | 'memory' } = {},
): Promise<void> {
  const wanted = {
    subjects: [...spec.subjects],
    max_age: nanos(spec.maxAgeMs),
    // -1 is the server's "no limit".
    max_msgs_per_subject: spec.maxMsgsPerSubject ?? -1,
  };
  let info = await streamInfoOrNull(jsm, spec.name);
  if (!info) {
    try {
      await jsm.streams.add({
        name: spec.name,
        ...wanted,
        num_replicas: opts.replicas ?? 1,
        storage: opts.storage === 'memory' ? StorageType.Memory : StorageType.File,
      });
      return;
    } catch (error) {
      if (!hasApiCode(error, STREAM_NAME_IN_USE)) throw error;
      info = await jsm.streams.info(spec.name);
    }
  }
  if (
    sameSubjects(info.config.subjects ?? [], wanted.subjects) &&
    info.config.max_age === wanted.max_age &&
    (info.config.max_msgs_per_subject ?? -1) === wanted.max_msgs_per_subject
  )
    return;
  await jsm.streams.update(spec.name, wanted);
}

export interface DurableConsumerConfig {
  durableName: string;
  /** One subject: NATS 2.9 allows a single filter per consumer. */
  filterSubject?: string;
  ackWaitMs?: number;
  maxAckPending?: number;
  deliverPolicy?: 'all' | 'new';
}

function consumerDiffers(info: ConsumerInfo, config: DurableConsumerConfig): boolean {
  const current = info.config;
  return (
    (config.filterSubject !== undefined && current.filter_subject !== config.filterSubject) ||
    (config.ackWaitMs !== undefined && current.ack_wait !== nanos(config.ackWaitMs)) ||
    (config.maxAckPending !== undefined && current.max_ack_pending !== config.maxAckPending)
  );
}

/**
 * A durable pull consumer with explicit acks: added when missing, updated when a given filter, ack wait or
 * max ack pending differs (the deliver policy of an existing consumer cannot change and is left alone).
 */
export async function provisionDurableConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: DurableConsumerConfig,
): Promise<void> {
  const settings = {
    ...(config.filterSubject !== undefined ? { filter_subject: config.filterSubject } : {}),
    ...(config.ackWaitMs !== undefined ? { ack_wait: nanos(config.ackWaitMs) } : {}),
    ...(config.maxAckPending !== undefined ? { max_ack_pending: config.maxAckPending } : {}),
  };
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(stream, config.durableName);
  } catch (error) {
    if (!hasApiCode(error, CONSUMER_NOT_FOUND)) throw error;
    // Adding an identical durable is a no-op on the server, so a lost race here is harmless.
    await jsm.consumers.add(stream, {
      durable_name: config.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: config.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ...settings,
    });
    return;
  }
  if (consumerDiffers(info, config)) await jsm.consumers.update(stream, config.durableName, settings);
}
