#!/usr/bin/env node
import { CONTROL_ACTIONS, nowMicros, type ControlAction } from '@tm/contracts';
import { ConfigError } from '@tm/config';
import { slot } from '@tm/sharding';
import { parseArgs } from 'node:util';
import { parseTarget, renderControlOutcomes } from './commands/control.command.js';
import { judgeHealth } from './commands/health.command.js';
import { runFixClientsCommand } from './commands/fix-clients.command.js';
import { runFlowsVerifyCommand } from './commands/flows-verify.command.js';
import { runRecordCommand } from './commands/record.command.js';
import { runReplayCommand } from './commands/replay.command.js';
import { FleetClient } from './fleet-client.js';
import { fleetTree, renderTree } from './fleet-tree.js';
import { TmCliError } from './tm-cli.error.js';

const USAGE = `tm — operate a tm-engine fleet
  tm health [--expect svc,svc]   exit 0 only when every expected service is Running and answering
  tm ps                          the lifecycle tree: Platform → Feature → Application → Application-feature
  tm slot <key>                  the shard slot of a key (instrument, or acct:<id>)
  tm pause|resume|stop|park <service>[/<instance>]
  tm record <file|-> --seconds N [--tick-ms 100]
                                 write the market data of TM_SUBJECT_ROOT (and a tick line per interval) to a recording
  tm replay <file|-> [--tick-ms 100] [--candles 1s,1m,1h] [--fees '{"binance":7.5}'] [--default-fee-bps 0]
                                 the aggregation over a recording, offline: snapshots, candles, arbitrage, rejections
  tm flows verify <flowId>…|--all
                                 recompute the audit hash chain of flows from PostgreSQL (TM_DATABASE_URL); exit 1 if one is broken
  tm fix clients list|show <id>  the FIX clients of fix-server, through its admin API (TM_FIX_ADMIN_URL, TM_FIX_ADMIN_TOKEN)
  tm fix clients create <id> [--accounts a,b] [--rate N] [--max-subscriptions N] [--disabled]
  tm fix clients enable|disable|password <id>
  tm fix clients set <id> [--accounts a,b] [--rate N] [--max-subscriptions N]
                                 a password is read from TM_FIX_CLIENT_PASSWORD or the first line of stdin, never from the
                                 command line, so it stays out of the process list and shell history; exit 1 if fix-server refuses
Environment: TM_NATS_URL, TM_SUBJECT_ROOT, TM_CLI_GATHER_WINDOW, TM_DATABASE_URL,
  TM_FIX_ADMIN_URL (http://127.0.0.1:7404), TM_FIX_ADMIN_TOKEN (fix-server's development token), TM_FIX_CLIENT_PASSWORD.`;

async function main(argv: string[]): Promise<number> {
  // record and replay parse their own flags (--tick-ms, --fees…), which the fleet commands' parseArgs refuses.
  if (argv[0] === 'record') return runRecordCommand(argv.slice(1));
  if (argv[0] === 'replay') return runReplayCommand(argv.slice(1));
  if (argv[0] === 'flows' && argv[1] === 'verify') return runFlowsVerifyCommand(argv.slice(2));
  if (argv[0] === 'fix' && argv[1] === 'clients') return runFixClientsCommand(argv.slice(2));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { expect: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'slot') {
    if (rest.length !== 1) throw new TmCliError('USAGE', 'usage: tm slot <key>');
    console.log(slot(rest[0]!));
    return 0;
  }
  if (command !== 'health' && command !== 'ps' && !(CONTROL_ACTIONS as readonly string[]).includes(command)) {
    throw new TmCliError('USAGE', `unknown command "${command}"\n${USAGE}`);
  }
  const fleet = await FleetClient.connect();
  try {
    if (command === 'health') {
      const expected = values.expect
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const verdict = judgeHealth(await fleet.statuses(), expected);
      console.log(verdict.lines.join('\n'));
      return verdict.healthy ? 0 : 1;
    }
    if (command === 'ps') {
      const statuses = await fleet.statuses();
      if (statuses.length === 0)
        throw new TmCliError('NO_ANSWER', `no instance answered on ${fleet.subjects.sysStatus()}`);
      console.log(renderTree(fleetTree(statuses, fleet.subjects.root), nowMicros()));
      return 0;
    }
    const target = rest[0];
    const { service, instance } = parseTarget(target);
    const result = renderControlOutcomes(
      command,
      target!,
      await fleet.control(service, instance, command as ControlAction),
    );
    console.log(result.lines.join('\n'));
    return result.ok ? 0 : 1;
  } finally {
    await fleet.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof TmCliError || error instanceof ConfigError) {
      console.error(`tm: ${error.message}`);
      process.exit(2);
    }
    console.error('tm: unexpected failure', error);
    process.exit(2);
  },
);
