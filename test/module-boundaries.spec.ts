// Proves the module-boundary rules bite: each probe is linted as if it were a file of the project
// named by its path, with the real eslint.config.mjs and Nx's project graph.
import { ESLint } from 'eslint';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
let eslint: ESLint;

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  beforeAll(async () => {
    // The Nx rule reads the cached project graph and silently skips without one: make it.
    await promisify(execFile)(resolve(ROOT, 'node_modules/.bin/nx'), ['show', 'projects'], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    eslint = new ESLint({ cwd: ROOT });
  }, 120_000);

  it('refuses a service importing another service, by package or by path', async () => {
    expect(
      await problems(
        'services/aggregator/src/probe.ts',
        "import { PersisterModule } from '@tm/persister';\nexport const x = PersisterModule;\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^@nx\/enforce-module-boundaries: .*(apps are forbidden|can only depend on libs tagged)/,
      ),
    ]);
    expect(
      await problems(
        'services/aggregator/src/probe.ts',
        "import { PersisterModule } from '../../persister/src/persister.module.js';\nexport const x = PersisterModule;\n",
      ),
    ).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('refuses a lib importing a service or a tool', async () => {
    expect(
      await problems(
        'libs/sharding/src/probe.ts',
        "import { AggregatorModule } from '@tm/aggregator';\nexport const x = AggregatorModule;\n",
      ),
    ).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('keeps contracts free of other libs', async () => {
    expect(
      await problems(
        'libs/contracts/src/probe.ts',
        "import { slot } from '@tm/sharding';\nexport const x = slot;\n",
      ),
    ).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*scope:contracts/)]);
  });

  it('keeps the exchange simulator out of shipped service code, and lets the service tests use it', async () => {
    const probe =
      "import { BinanceSimulator } from '@tm/exchange-simulator';\nexport const x = BinanceSimulator;\n";
    expect(await problems('services/venue-connectors/src/probe.ts', probe)).toEqual([
      expect.stringMatching(/^@nx\/enforce-module-boundaries: .*scope:test-support/),
    ]);
    expect(await problems('services/venue-connectors/test/probe.integration-spec.ts', probe)).toEqual([]);
  });

  it('refuses deep imports into a lib', async () => {
    const found = await problems(
      'services/aggregator/src/probe.ts',
      "import { x } from '@tm/sharding/src/slot.js';\nexport const y = x;\n",
    );
    expect(found.some((p) => p.includes('public entry'))).toBe(true);
  });

  it('allows a service importing a lib through its entry', async () => {
    expect(
      await problems(
        'services/aggregator/src/probe.ts',
        "import { createSubjects } from '@tm/contracts';\nexport const s = createSubjects();\n",
      ),
    ).toEqual([]);
  });
});
