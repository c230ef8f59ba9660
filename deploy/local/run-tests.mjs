// `npm test`: makes sure NATS and PostgreSQL answer, runs the format, lint, type and build checks
// and then every vitest test, and ends with exactly one line `N passed, N failed[, N skipped]`.
// `npm test -- <vitest args>` with a path or name filter runs only those tests, without the checks.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './fleet-plan.mjs';
import { InfraUnavailableError, ensureNats, ensurePostgres } from './infra.mjs';
import { summaryLine, tallyVitest } from './vitest-tally.mjs';

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

// Nx must have built its project graph first, or @nx/enforce-module-boundaries silently skips.
const CHECKS = [
  { name: 'format check', commands: [[bin('prettier'), ['--check', '.']]] },
  {
    name: 'lint',
    commands: [
      [bin('nx'), ['show', 'projects'], 'ignore'],
      [bin('eslint'), ['--max-warnings', '0', '.']],
    ],
  },
  { name: 'typecheck', commands: [[bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']]] },
  { name: 'build', commands: [[process.execPath, [join(ROOT, 'deploy/build/build.mjs')]]] },
];

let current = null;
let interrupted = null;
const cleanups = [];

function run(command, args, { stdout = 'inherit', env = process.env } = {}) {
  return new Promise((resolve) => {
    current = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', stdout, 'inherit'] });
    current.on('error', (error) => {
      console.error(`tm: could not run ${command}: ${error.message}`);
      resolve(127);
    });
    current.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  }).finally(() => {
    current = null;
  });
}

async function cleanUp() {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

async function abortIfInterrupted() {
  if (!interrupted) return;
  await cleanUp();
  console.error(`tm: tests interrupted by ${interrupted}`);
  process.exit(130);
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function runCheck(check) {
  const started = Date.now();
  let passed = true;
  for (const [command, args, stdout] of check.commands) {
    const shown = [command, ...args].map((part) =>
      part === process.execPath ? 'node' : part.replace(`${ROOT}/`, ''),
    );
    console.log(`\n=== ${check.name}: ${shown.join(' ')}`);
    if ((await run(command, args, { stdout })) !== 0) {
      passed = false;
      break;
    }
    await abortIfInterrupted();
  }
  await abortIfInterrupted();
  return { name: check.name, passed, duration: Date.now() - started };
}

async function runVitest(vitestArgs, env) {
  const reportDir = mkdtempSync(join(tmpdir(), 'tm-vitest-'));
  cleanups.push(async () => rmSync(reportDir, { recursive: true, force: true }));
  const reportPath = join(reportDir, 'report.json');
  const args = [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportPath}`,
    ...vitestArgs,
  ];
  console.log(`\n=== tests: vitest ${args.join(' ')}`);
  const started = Date.now();
  const exitCode = await run(bin('vitest'), args, { env });
  await abortIfInterrupted();
  let report = null;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8'));
  } catch {
    // no report: tallyVitest counts that as a failure
  }
  return { ...tallyVitest(report, exitCode), duration: Date.now() - started };
}

function printTable(checks, vitest) {
  console.log('\n=== summary');
  for (const check of checks) {
    console.log(
      `  ${check.name.padEnd(14)} ${(check.passed ? 'passed' : 'FAILED').padEnd(8)} ${seconds(check.duration)}`,
    );
  }
  console.log(`  ${'tests'.padEnd(14)} ${summaryLine(vitest)} in ${seconds(vitest.duration)}`);
  for (const note of vitest.notes) console.log(`  ${''.padEnd(14)} ${note}`);
}

async function main() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      interrupted ??= signal;
      if (current) current.kill('SIGTERM');
      else void abortIfInterrupted();
    });
  }
  const vitestArgs = process.argv.slice(2);
  if (vitestArgs[0] === '--') vitestArgs.shift();
  const filtered = vitestArgs.some((arg) => !arg.startsWith('-'));

  const natsUrl = process.env.TM_TEST_NATS_URL || 'nats://127.0.0.1:4222';
  const postgresUrl = process.env.TM_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const checks = [];
  try {
    const storeDir = mkdtempSync(join(tmpdir(), 'tm-test-nats-'));
    cleanups.push(async () => rmSync(storeDir, { recursive: true, force: true }));
    const nats = await ensureNats(natsUrl, { storeDir, startIfMissing: true });
    cleanups.push(nats.stop);
    await abortIfInterrupted();
    await ensurePostgres(postgresUrl);
    await abortIfInterrupted();
  } catch (error) {
    if (!(error instanceof InfraUnavailableError)) throw error;
    console.error(error.message);
    await cleanUp();
    console.log(summaryLine({ passed: 0, failed: 1, skipped: 0 }));
    process.exit(1);
  }

  if (filtered) {
    console.log(`tm: filter given (${vitestArgs.join(' ')}): running only those tests, not the four checks`);
  } else {
    for (const check of CHECKS) checks.push(await runCheck(check));
  }
  const env = { ...process.env, TM_TEST_NATS_URL: natsUrl, TM_TEST_POSTGRES_URL: postgresUrl };
  const vitest = await runVitest(vitestArgs, env);
  await cleanUp();

  const total = {
    passed: checks.filter((check) => check.passed).length + vitest.passed,
    failed: checks.filter((check) => !check.passed).length + vitest.failed,
    skipped: vitest.skipped,
  };
  printTable(checks, vitest);
  console.log(summaryLine(total));
  process.exit(total.failed > 0 ? 1 : 0);
}

main().catch(async (error) => {
  console.error(`tm: the test runner failed: ${error.stack ?? error}`);
  await cleanUp();
  console.log(summaryLine({ passed: 0, failed: 1, skipped: 0 }));
  process.exit(1);
});
