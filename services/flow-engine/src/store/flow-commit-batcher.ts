import type pg from 'pg';
import type { CommitOutcome, FlowCommit } from './flow-commit.js';
import { flowCommitStatement } from './flow-commit-statement.js';

export interface FlowCommitBatcherOptions {
  /** Batches in flight at once; a flow always commits on the same lane, so its commits stay in order. */
  lanes: number;
  /** Commits per statement at most. */
  maxBatch: number;
  /** Milliseconds from a commit's arrival to its durable answer. */
  onCommitted?: (latencyMs: number) => void;
  /** Each statement: how long it took and how many commits it carried. */
  onStatement?: (durationMs: number, commits: number) => void;
}

interface Pending {
  commit: FlowCommit;
  arrivedAt: number;
  resolve: (outcome: CommitOutcome) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  queue: Pending[];
  busy: boolean;
}

/**
 * Group commit: every commit that arrives while a lane's statement runs goes into that lane's next
 * statement, so hundreds of flows share one transaction and one WAL flush while each flow's own commits
 * stay in order. A statement that fails is retried commit by commit, so one bad commit fails alone.
 */
export class FlowCommitBatcher {
  private readonly lanes: Lane[];
  private readonly statement: string;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly options: FlowCommitBatcherOptions,
  ) {
    this.statement = flowCommitStatement(schema);
    this.lanes = Array.from({ length: options.lanes }, () => ({ queue: [], busy: false }));
  }

  commit(commit: FlowCommit): Promise<CommitOutcome> {
    if (this.closed) return Promise.reject(new Error('the flow store is closed'));
    return new Promise((resolve, reject) => {
      const lane = this.lanes[laneOf(commit.flow, this.lanes.length)]!;
      lane.queue.push({ commit, arrivedAt: performance.now(), resolve, reject });
      if (!lane.busy) void this.drain(lane);
    });
  }

  /** Refuses new commits; those already queued are still written. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.lanes.some((lane) => lane.busy || lane.queue.length > 0))
      await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private async drain(lane: Lane): Promise<void> {
    lane.busy = true;
    try {
      while (lane.queue.length > 0) {
        const batch = this.takeBatch(lane);
        try {
          this.settle(batch, await this.write(batch.map((p) => p.commit)));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          for (const pending of batch) {
            try {
              this.settle([pending], await this.write([pending.commit]));
            } catch (single) {
              pending.reject(single);
            }
          }
        }
      }
    } finally {
      lane.busy = false;
    }
  }

  /** The next commits of the lane, at most one per flow: a flow's second commit waits for the next batch. */
  private takeBatch(lane: Lane): Pending[] {
    const flows = new Set<string>();
    let count = 0;
    while (count < lane.queue.length && count < this.options.maxBatch) {
      const flow = lane.queue[count]!.commit.flow;
      if (flows.has(flow)) break;
      flows.add(flow);
      count += 1;
    }
    return lane.queue.splice(0, count);
  }

  private async write(commits: FlowCommit[]): Promise<CommitOutcome[]> {
    const started = performance.now();
    const { rows } = await this.pool.query<{ flow: string; outcome: CommitOutcome }>({
      // Named: each connection plans it once.
      name: 'flow-commit',
      text: this.statement,
      values: [JSON.stringify(commits)],
    });
    this.options.onStatement?.(performance.now() - started, commits.length);
    if (rows.length !== commits.length)
      throw new Error(`the commit statement answered ${rows.length} outcomes for ${commits.length} commits`);
    return rows.map((row) => row.outcome);
  }

  private settle(batch: Pending[], outcomes: CommitOutcome[]): void {
    const now = performance.now();
    for (const [i, pending] of batch.entries()) {
      this.options.onCommitted?.(now - pending.arrivedAt);
      pending.resolve(outcomes[i]!);
    }
  }
}

function laneOf(flowId: string, lanes: number): number {
  let hash = 2166136261;
  for (let i = 0; i < flowId.length; i++) hash = Math.imul(hash ^ flowId.charCodeAt(i), 16777619);
  return (hash >>> 0) % lanes;
}
