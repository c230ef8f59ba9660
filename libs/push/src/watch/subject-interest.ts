/**
 * The NATS subjects the gateway's watchers need, counted, so NATS interest follows the clients: the
 * first watcher of a subject opens it, the last one to leave closes it.
 */
export class SubjectInterest {
  private readonly watchers = new Map<string, number>();

  constructor(
    private readonly open: (subject: string) => void,
    private readonly close: (subject: string) => void,
  ) {}

  acquire(subjects: readonly string[]): void {
    for (const subject of subjects) {
      const count = this.watchers.get(subject) ?? 0;
      this.watchers.set(subject, count + 1);
      if (count === 0) this.open(subject);
    }
  }

  release(subjects: readonly string[]): void {
    for (const subject of subjects) {
      const count = this.watchers.get(subject);
      if (count === undefined) continue;
      if (count > 1) this.watchers.set(subject, count - 1);
      else {
        this.watchers.delete(subject);
        this.close(subject);
      }
    }
  }

  /** Subjects with at least one watcher, sorted. */
  held(): string[] {
    return [...this.watchers.keys()].sort();
  }
}
