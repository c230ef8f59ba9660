// Hands batches to the batch writer on its worker thread (batch-writer.worker.ts) and gives back its
// answers; a thread that dies fails what it held (the reader retries those) and is started again.
import { Worker } from 'node:worker_threads';
import type { BatchOutcome, BatchRows, BatchSink, CheckpointAdvance } from './batch-writer.js';

export interface BatchWriterThreadData {
  databaseUrl: string;
  schema: string;
  applicationName: string;
  poolSize: number;
  replayInitialDelayMs: number;
}

export interface WriteRequest {
  id: number;
  batch: BatchRows;
  checkpoint: CheckpointAdvance;
}

export type WriteReply =
  | { id: number; outcome: BatchOutcome }
  | { id: number; error: { message: string; code: string | undefined } };

const WORKER_FILE = new URL('./batch-writer.worker.js', import.meta.url);

export class BatchWriterThread implements BatchSink {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(o: BatchOutcome): void; reject(e: Error): void }>();

  constructor(private readonly data: BatchWriterThreadData) {}

  write(batch: BatchRows, checkpoint: CheckpointAdvance): Promise<BatchOutcome> {
    const worker = this.running();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, batch, checkpoint } satisfies WriteRequest);
    });
  }

  /** Ends the thread after the writes it holds (their connections closed). */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('close');
    await exited;
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_FILE, { workerData: this.data });
    worker.on('message', (reply: WriteReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if ('outcome' in reply) waiter.resolve(reply.outcome);
      else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`batch writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
