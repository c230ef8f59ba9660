// What the flow-engine e2e tests share: a subject root and a database of their own, the paper venue
// (venue-connectors), an aggregator and flow-engine processes as built, commands over NATS, the progress
// events each flow sent and its rows in PostgreSQL.
import {
  createBuckets,
  createStreams,
  createSubjects,
  decodePayload,
  encodePayload,
  FlowProgressV1,
  FlowStateV1,
  replyEnvelope,
  type FlowCommandV1,
  type FlowRequesterV1,
  type FlowVerbName,
  type ReplyEnvelope,
  type Subjects,
} from '@tm/contracts';
import { NatsLink } from '@tm/messaging';
import { accountSlot, instrumentSlot } from '@tm/sharding';
import { expectEventually, freePort, uniqueSubjectRoot } from '@tm/testing';
import pg from 'pg';
import { expect } from 'vitest';
import { ownDatabase, type OwnDatabase } from '../fleet/own-database.js';
import { ServiceProcess } from '../fleet/service-process.js';

export const ACCOUNT = 'paper-main';
export const REQUESTER: FlowRequesterV1 = { kind: 'user', id: 'e2e-trader' };
const FLOW_REPLY = replyEnvelope(FlowStateV1);

export interface FlowEngineProcess {
  process: ServiceProcess;
  port: number;
}

export class FlowTestBed {
  readonly subjects: Subjects;
  readonly progress = new Map<string, FlowProgressV1[]>();
  readonly pool: pg.Pool;
  private readonly processes: ServiceProcess[] = [];
  private keys = 0;

  private constructor(
    readonly root: string,
    readonly natsUrl: string,
    readonly database: OwnDatabase,
    readonly link: NatsLink,
  ) {
    this.subjects = createSubjects(root);
    this.pool = new pg.Pool({ connectionString: database.url, max: 4 });
    link.connection.subscribe(this.subjects.all.flowProgress(), {
      callback: (_error, msg) => {
        const decoded = decodePayload(FlowProgressV1, msg.data);
        if (!decoded.ok) return;
        const list = this.progress.get(decoded.value.flowId) ?? [];
        list.push(decoded.value);
        this.progress.set(decoded.value.flowId, list);
      },
    });
  }

  static async open(natsUrl: string, sharedDatabaseUrl: string): Promise<FlowTestBed> {
    const root = uniqueSubjectRoot();
    const database = await ownDatabase(sharedDatabaseUrl, `flows_${root}`);
    const link = await NatsLink.connect({
      servers: [natsUrl],
      name: 'flow-engine-e2e',
      pingIntervalMs: 2_000,
      maxPingOut: 3,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    return new FlowTestBed(root, natsUrl, database, link);
  }

  private env(port: number, extra: Record<string, string>): Record<string, string> {
    return {
      TM_NATS_URL: this.natsUrl,
      TM_DATABASE_URL: this.database.url,
      TM_SUBJECT_ROOT: this.root,
      TM_HTTP_PORT: String(port),
      TM_HTTP_HOST: '127.0.0.1',
      TM_DEPENDENCY_CHECK_INTERVAL: '250ms',
      ...extra,
    };
  }

  /** The paper venue and the aggregator, running and answering for BTC/USDT. */
  async startMarket(venueEnv: Record<string, string> = {}): Promise<void> {
    const venuePort = await freePort();
    this.processes.push(new ServiceProcess('venue-connectors', 'vc-e2e', this.env(venuePort, venueEnv)));
    const aggregatorPort = await freePort();
    this.processes.push(new ServiceProcess('aggregator', 'agg-e2e', this.env(aggregatorPort, {})));
    await expectEventually(async () => {
      const reply = await this.link.connection.request(
        this.subjects.mdSnapshot(instrumentSlot('BTC/USDT')),
        encodePayload({ v: 1, instrument: 'BTC/USDT' }),
        { timeout: 1_000 },
      );
      expect(new TextDecoder().decode(reply.data)).toContain('"ok":true');
    }, 30_000);
  }

  async flowEngine(instanceId: string, env: Record<string, string> = {}): Promise<FlowEngineProcess> {
    const port = await freePort();
    const process = new ServiceProcess(
      'flow-engine',
      instanceId,
      this.env(port, {
        TM_FLOW_MEMBER_TTL: '2s',
        TM_FLOW_ORDER_POLL: '250ms',
        TM_FLOW_RESUME_SWEEP: '1s',
        ...env,
      }),
    );
    this.processes.push(process);
    return { process, port };
  }

  /** Ends an engine the way a deploy does (SIGTERM): it leaves the membership, the next one owns every slot. */
  async stop(engine: FlowEngineProcess): Promise<void> {
    engine.process.signal('SIGTERM');
    await engine.process.exited;
  }

  nextKey(prefix = 'e2e'): string {
    this.keys += 1;
    return `${prefix}-${this.root}-${this.keys}`;
  }

  /** One command and its reply envelope; retried while no instance owns the account's slot yet. */
  async command(command: FlowCommandV1): Promise<ReplyEnvelope<FlowStateV1>> {
    const subject = this.subjects.flowCmd(accountSlot(command.account));
    for (let tries = 0; ; tries++) {
      try {
        const reply = await this.link.connection.request(subject, encodePayload(command), { timeout: 5_000 });
        const decoded = decodePayload(FLOW_REPLY, reply.data);
        if (!decoded.ok) throw new Error(`invalid reply: ${decoded.reason}`);
        return decoded.value as ReplyEnvelope<FlowStateV1>;
      } catch (error) {
        if (tries >= 20 || (error as Error).message.startsWith('invalid reply')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async start(
    verb: FlowVerbName,
    input: Record<string, unknown>,
    key = this.nextKey(),
    account = ACCOUNT,
  ): Promise<FlowStateV1> {
    const reply = await this.command({
      v: 1,
      type: 'start',
      idempotencyKey: key,
      account,
      verb,
      input,
      requester: REQUESTER,
    });
    if (!reply.ok) throw new Error(`start refused: ${JSON.stringify(reply.error)}`);
    return reply.result;
  }

  async get(flowId: string, account = ACCOUNT): Promise<FlowStateV1> {
    const reply = await this.command({ v: 1, type: 'get', account, flowId });
    if (!reply.ok) throw new Error(`get refused: ${JSON.stringify(reply.error)}`);
    return reply.result;
  }

  /** Waits until the flow has ended and returns its final state. */
  async ended(flowId: string, timeoutMs = 30_000, account = ACCOUNT): Promise<FlowStateV1> {
    let state: FlowStateV1 | undefined;
    await expectEventually(async () => {
      state = await this.get(flowId, account);
      expect(['succeeded', 'failed', 'canceled', 'refused']).toContain(state.status);
    }, timeoutMs);
    return state!;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /** The flow's audit rows, in order. */
  audit(flowId: string): Promise<
    {
      seq: number;
      type: string;
      step_name: string | null;
      attempt: number | null;
      actor: FlowRequesterV1;
      detail: Record<string, unknown>;
    }[]
  > {
    return this.query(
      `SELECT seq, type, step_name, attempt, actor, detail FROM flow_engine.flow_audit WHERE flow_id = $1 ORDER BY seq`,
      [flowId],
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.dispose()));
    await this.pool.end();
    const jsm = await this.link.jetstreamManager();
    for (const spec of Object.values(createStreams(this.root)))
      await jsm.streams.delete(spec.name).catch(() => false);
    for (const bucket of Object.values(createBuckets(this.root)))
      await jsm.streams.delete(`KV_${bucket}`).catch(() => false);
    await this.link.close();
    await this.database.drop();
  }
}
