import { randomUUID } from 'node:crypto';
import { deadLetterOf, type Subjects } from '@tm/contracts';
import type { ReliablePublisher } from './reliable-publisher.js';

export interface DeadLetterInput {
  subject: string;
  /** The original bytes, exactly as received. */
  payload: Uint8Array;
  reason: string;
  headers?: Record<string, string[]>;
}

/** Sends a refused message to `<root>.dlq.<service>` (stream DLQ) with why it was refused. */
export class DeadLetterPublisher {
  private readonly publisher: ReliablePublisher;
  private readonly subject: string;
  private readonly service: string;
  private readonly instance: string;

  constructor(opts: { publisher: ReliablePublisher; subjects: Subjects; service: string; instance: string }) {
    this.publisher = opts.publisher;
    this.subject = opts.subjects.dlq(opts.service);
    this.service = opts.service;
    this.instance = opts.instance;
  }

  send(input: DeadLetterInput): Promise<void> {
    const letter = deadLetterOf({ service: this.service, instance: this.instance, ...input });
    return this.publisher.publish(
      this.subject,
      letter,
      `dlq:${this.service}:${this.instance}:${randomUUID()}`,
    );
  }
}
