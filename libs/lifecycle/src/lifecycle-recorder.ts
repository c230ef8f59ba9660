// Turns machine transitions into LifecycleTransitionV1 events: published on the instance's
// lifecycle subject and kept in memory (the last `keep`) for status replies and backfill.
import { randomUUID } from 'node:crypto';
import type { LifecycleTransitionV1, Subjects } from '@tm/contracts';
import type { LifecycleMachine } from './lifecycle-machine.js';

export class LifecycleRecorder {
  private readonly service: string;
  private readonly instance: string;
  private readonly subject: string;
  private readonly publish: (subject: string, event: LifecycleTransitionV1) => void | Promise<void>;
  private readonly keep: number;
  private readonly onPublishError: (error: unknown) => void;
  private readonly kept: LifecycleTransitionV1[] = [];
  private seq = 0;

  constructor(opts: {
    service: string;
    instance: string;
    subjects: Subjects;
    publish: (subject: string, event: LifecycleTransitionV1) => void | Promise<void>;
    keep?: number;
    onPublishError?: (error: unknown) => void;
  }) {
    this.service = opts.service;
    this.instance = opts.instance;
    // Built once, so a bad service or instance token fails here rather than on the first transition.
    this.subject = opts.subjects.sysLifecycle(opts.service, opts.instance);
    this.publish = opts.publish;
    this.keep = opts.keep ?? 50;
    // A failed publish must never break a transition; by default it is at least not silent.
    this.onPublishError =
      opts.onPublishError ??
      ((error) => process.emitWarning(`lifecycle event not published on ${this.subject}: ${String(error)}`));
  }

  /** Records every transition of `machine` under `path` (`<service>/<instance>[/<feature>]`). Returns the detach. */
  attach(machine: LifecycleMachine, path: string): () => void {
    return machine.onTransition((record) => {
      const event: LifecycleTransitionV1 = {
        v: 1,
        eventId: randomUUID(),
        service: this.service,
        instance: this.instance,
        level: machine.level,
        path,
        from: record.from,
        to: record.to,
        ...(record.reason !== undefined ? { reason: record.reason } : {}),
        seq: ++this.seq,
        tsInit: record.at,
      };
      this.kept.push(event);
      if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
      this.send(event);
    });
  }

  /** The kept events, oldest first. */
  recent(): readonly LifecycleTransitionV1[] {
    return [...this.kept];
  }

  private send(event: LifecycleTransitionV1): void {
    try {
      const pending = this.publish(this.subject, event);
      if (pending) pending.catch(this.onPublishError);
    } catch (error) {
      this.onPublishError(error);
    }
  }
}
