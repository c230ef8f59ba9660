// The batch writer on a thread of its own: the COPY and commit round trips are answered on this thread's
// event loop, not behind the stream reader's message bursts on the main one (bench/persister: about 0.6
// of the bare COPY rate on one thread). Messages: WriteRequest in, WriteReply out (BatchWriterThread).
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { PartitionKeeper } from '../tables/partition-keeper.js';
import { BatchWriter, OrderedBatchWriter } from './batch-writer.js';
import type { BatchWriterThreadData, WriteReply, WriteRequest } from './batch-writer-thread.js';

const data = workerData as BatchWriterThreadData;
const pool = new pg.Pool({
  connectionString: data.databaseUrl,
  max: data.poolSize,
  connectionTimeoutMillis: 3_000,
  application_name: data.applicationName,
});
// A restarted server ends idle connections: the next write gets a fresh one.
pool.on('error', () => undefined);
const writer = new OrderedBatchWriter(
  new BatchWriter({
    pool,
    schema: data.schema,
    partitions: new PartitionKeeper(pool, data.schema),
    replayInitialDelayMs: data.replayInitialDelayMs,
  }),
);

parentPort!.on('message', (request: WriteRequest | 'close') => {
  if (request === 'close') {
    void pool.end().finally(() => parentPort!.close());
    return;
  }
  writer.write(request.batch, request.checkpoint).then(
    (outcome) => parentPort!.postMessage({ id: request.id, outcome } satisfies WriteReply),
    (error: unknown) => {
      const { message, code } =
        error instanceof Error
          ? (error as Error & { code?: string })
          : { message: String(error), code: undefined };
      parentPort!.postMessage({ id: request.id, error: { message, code } } satisfies WriteReply);
    },
  );
});
