// `tm flows verify [<flowId>…]`: recomputes the hash chain of each flow's audit rows straight from
// PostgreSQL (not through the service, which could be the part that lies) and names the first broken row.
import { verifyChain, type StoredLink } from '@tm/audit-chain';
import { env, loadConfig, platformConfigSpec } from '@tm/config';
import pg from 'pg';
import { parseArgs } from 'node:util';
import { TmCliError } from '../tm-cli.error.js';

export const FLOWS_VERIFY_USAGE = `usage: tm flows verify <flowId>…|--all
  checks the audit chain of the named flows, or with --all of every finished flow (TM_DATABASE_URL)`;

const verifyConfigSpec = {
  databaseUrl: platformConfigSpec.databaseUrl,
  schema: env.string('TM_FLOW_ENGINE_SCHEMA', { default: 'flow_engine', pattern: /^[a-z][a-z0-9_]{0,62}$/ }),
};

export interface FlowVerdict {
  flowId: string;
  ok: boolean;
  line: string;
}

interface AuditRow {
  flow_id: string;
  seq: number;
  event_id: string;
  type: string;
  step_index: number | null;
  step_name: string | null;
  attempt: number | null;
  actor: { kind: string; id: string };
  correlation_id: string;
  causation_id: string | null;
  detail: Record<string, unknown>;
  ts_init: string;
  prev_hash: string;
  hash: string;
}

/** Verifies the chains of the given flows (or every finished one) in `schema`. */
export async function verifyFlowAudits(
  client: pg.ClientBase,
  schema: string,
  flowIds: readonly string[] | 'all-finished',
): Promise<FlowVerdict[]> {
  const heads = await client.query<{ flow_id: string; audit_head: string }>(
    flowIds === 'all-finished'
      ? `SELECT flow_id, audit_head FROM ${schema}.flows WHERE finished_at IS NOT NULL ORDER BY created_at`
      : `SELECT flow_id, audit_head FROM ${schema}.flows WHERE flow_id = ANY($1::text[])`,
    flowIds === 'all-finished' ? [] : [flowIds],
  );
  const known = new Map(heads.rows.map((r) => [r.flow_id, r.audit_head]));
  const verdicts: FlowVerdict[] = [];
  for (const flowId of flowIds === 'all-finished' ? known.keys() : flowIds) {
    const head = known.get(flowId);
    if (head === undefined) {
      verdicts.push({ flowId, ok: false, line: `${flowId}: no such flow` });
      continue;
    }
    const { rows } = await client.query<AuditRow>(
      `SELECT * FROM ${schema}.flow_audit WHERE flow_id = $1 ORDER BY seq`,
      [flowId],
    );
    const links: StoredLink[] = rows.map((r) => ({
      chainId: r.flow_id,
      seq: r.seq,
      eventId: r.event_id,
      type: r.type,
      stepIndex: r.step_index,
      stepName: r.step_name,
      attempt: r.attempt,
      actor: r.actor,
      correlationId: r.correlation_id,
      causationId: r.causation_id,
      detail: r.detail,
      tsInit: Number(r.ts_init),
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
    const verdict = verifyChain(flowId, links, head);
    verdicts.push(
      verdict.ok
        ? { flowId, ok: true, line: `${flowId}: ok, ${verdict.rows} rows` }
        : { flowId, ok: false, line: `${flowId}: BROKEN at row ${verdict.brokenAt}: ${verdict.problem}` },
    );
  }
  return verdicts;
}

export async function runFlowsVerifyCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { all: { type: 'boolean' } },
  });
  if ((positionals.length === 0) === !values.all) throw new TmCliError('USAGE', FLOWS_VERIFY_USAGE);
  const config = loadConfig(verifyConfigSpec);
  const client = new pg.Client({ connectionString: config.databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new TmCliError('UNREACHABLE', `PostgreSQL at TM_DATABASE_URL: ${(error as Error).message}`);
  }
  try {
    const verdicts = await verifyFlowAudits(client, config.schema, values.all ? 'all-finished' : positionals);
    for (const verdict of verdicts) console.log(verdict.line);
    const broken = verdicts.filter((v) => !v.ok).length;
    console.log(`${verdicts.length} flows checked, ${broken} broken`);
    return broken === 0 ? 0 : 1;
  } finally {
    await client.end();
  }
}
