// The group commit against real PostgreSQL: many flows in one statement, fencing by epoch and audit
// position, idempotency keys on create, and one bad commit failing alone.
import { createServiceDataSource, createTestSchema, runMigrations, type TestSchema } from '@tm/persistence';
import { accountSlot, tmSlotMigration } from '@tm/sharding';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flowsMigration } from '../src/migrations/0001-flows.migration.js';
import type { AuditRowWire, FlowCommit } from '../src/store/flow-commit.js';
import { FlowCommitBatcher } from '../src/store/flow-commit-batcher.js';
import { FlowStore } from '../src/store/flow-store.js';

let schema: TestSchema;
let pool: pg.Pool;
let store: FlowStore;

function row(flowId: string, seq: number, type = 'StepStarted'): AuditRowWire {
  return {
    seq,
    event_id: `${flowId}.${seq}`,
    type,
    step_index: 0,
    step_name: 'check',
    attempt: 1,
    actor: { kind: 'user', id: 'u1' },
    correlation_id: flowId,
    causation_id: null,
    detail: {},
    ts_init: Date.now() * 1_000,
    prev_hash: `h${seq - 1}`,
    hash: `h${seq}`,
  };
}

function create(flowId: string, key = `key-${flowId}`): FlowCommit {
  return {
    flow: flowId,
    epoch: 1,
    fromSeq: 0,
    toSeq: 1,
    head: 'h1',
    create: {
      flow_id: flowId,
      slot: accountSlot('acct-1'),
      account: 'acct-1',
      verb: 'buy',
      input: { amount: '1' },
      idempotency_key: key,
      fingerprint: 'fp',
      requester: { kind: 'user', id: 'u1' },
      correlation_id: flowId,
      owner: 'fe-1',
    },
    audit: [row(flowId, 1, 'FlowStarted')],
  };
}

beforeAll(async () => {
  const databaseUrl = inject('databaseUrl');
  schema = await createTestSchema(databaseUrl, 'fbatch');
  const ds = createServiceDataSource({
    url: databaseUrl,
    schema: schema.schema,
    applicationName: 'flow-batch-test',
    migrations: [],
  });
  await ds.initialize();
  try {
    for (const migrations of [[tmSlotMigration], [flowsMigration]])
      await runMigrations(ds, { schema: schema.schema, migrations });
  } finally {
    await ds.destroy();
  }
  pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  store = new FlowStore(pool, `"${schema.schema}"`);
});

afterAll(async () => {
  await pool?.end();
  await schema?.drop();
});

describe('FlowCommitBatcher', () => {
  it('commits many flows at once, each in order, in fewer statements than commits', async () => {
    const batcher = new FlowCommitBatcher(pool, `"${schema.schema}"`, { lanes: 2, maxBatch: 64 });
    const ids = Array.from({ length: 100 }, (_, i) => `fmany${i}`);
    expect(await Promise.all(ids.map((id) => batcher.commit(create(id))))).toEqual(ids.map(() => 'ok'));
    // Each flow's next two commits queued back to back: the lane keeps them in order.
    const outcomes = await Promise.all(
      ids.flatMap((id) => [
        batcher.commit({ flow: id, epoch: 1, fromSeq: 1, toSeq: 2, head: 'h2', audit: [row(id, 2)] }),
        batcher.commit({
          flow: id,
          epoch: 1,
          fromSeq: 2,
          toSeq: 3,
          head: 'h3',
          audit: [row(id, 3, 'StepSucceeded')],
          step: { index: 0, name: 'check', result: { ok: true } },
        }),
      ]),
    );
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    const flow = await store.flow('fmany42');
    expect(flow).toMatchObject({ auditSeq: 3, auditHead: 'h3', status: 'running' });
    expect((await store.journal('fmany42')).steps.get(0)).toEqual({ name: 'check', result: { ok: true } });
    await batcher.close();
  });

  it('a second create with the same idempotency key is a duplicate, whatever its flow id', async () => {
    const batcher = new FlowCommitBatcher(pool, `"${schema.schema}"`, { lanes: 1, maxBatch: 8 });
    expect(await batcher.commit(create('fdupa', 'shared-key'))).toBe('ok');
    expect(await batcher.commit(create('fdupb', 'shared-key'))).toBe('duplicate');
    expect(await store.flow('fdupb')).toBeUndefined();
    await batcher.close();
  });

  it('fences a commit from an old epoch or an old audit position, and writes nothing of it', async () => {
    const batcher = new FlowCommitBatcher(pool, `"${schema.schema}"`, { lanes: 1, maxBatch: 8 });
    await batcher.commit(create('ffence'));
    const taken = await store.claim('ffence', 'fe-2');
    expect(taken?.epoch).toBe(2);
    const stale = await batcher.commit({
      flow: 'ffence',
      epoch: 1,
      fromSeq: 1,
      toSeq: 2,
      head: 'x',
      audit: [row('ffence', 2)],
    });
    expect(stale).toBe('fenced');
    const behind = await batcher.commit({
      flow: 'ffence',
      epoch: 2,
      fromSeq: 0,
      toSeq: 1,
      head: 'x',
      audit: [row('ffence', 1)],
    });
    expect(behind).toBe('fenced');
    const current = await batcher.commit({
      flow: 'ffence',
      epoch: 2,
      fromSeq: 1,
      toSeq: 2,
      head: 'h2',
      audit: [row('ffence', 2)],
    });
    expect(current).toBe('ok');
    const { rows } = await pool.query(
      `SELECT seq FROM "${schema.schema}".flow_audit WHERE flow_id = 'ffence' ORDER BY seq`,
    );
    expect(rows.map((r: { seq: number }) => r.seq)).toEqual([1, 2]);
    await batcher.close();
  });

  it('a commit PostgreSQL refuses fails alone; the others of its batch are written', async () => {
    const batcher = new FlowCommitBatcher(pool, `"${schema.schema}"`, { lanes: 1, maxBatch: 16 });
    await Promise.all([batcher.commit(create('fbad1')), batcher.commit(create('fbad2'))]);
    const bad: FlowCommit = {
      flow: 'fbad1',
      epoch: 1,
      fromSeq: 1,
      toSeq: 2,
      head: 'h2',
      // side outside the CHECK: the whole statement would fail with it.
      orders: [
        {
          step_index: 0,
          child: 0,
          client_order_id: 'c-bad',
          account: 'acct-1',
          venue: 'paper',
          instrument: 'BTC/USDT',
          side: 'sideways' as 'buy',
          kind: 'market',
          amount: '1',
          price: null,
          tag: null,
          status: 'in_flight',
        },
      ],
      audit: [row('fbad1', 2)],
    };
    const good: FlowCommit = {
      flow: 'fbad2',
      epoch: 1,
      fromSeq: 1,
      toSeq: 2,
      head: 'h2',
      audit: [row('fbad2', 2)],
    };
    const [badOutcome, goodOutcome] = await Promise.allSettled([batcher.commit(bad), batcher.commit(good)]);
    expect(badOutcome.status).toBe('rejected');
    expect(goodOutcome).toEqual({ status: 'fulfilled', value: 'ok' });
    expect((await store.flow('fbad1'))?.auditSeq).toBe(1);
    expect((await store.flow('fbad2'))?.auditSeq).toBe(2);
    await batcher.close();
  });
});
