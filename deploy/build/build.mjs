// Compiles every project's TypeScript to ESM JavaScript with SWC (decorator metadata on, as
// NestJS needs). Type checking is `npm run typecheck`; this only emits, so it takes seconds.
// libs/x/src/** -> libs/x/dist/**, services/x/src/** -> services/x/dist/**, bench/** -> bench/dist/**,
// test-e2e/exchange-simulator/src/** -> its dist/**
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = /\.(spec|integration-spec|e2e-spec)\.ts$|\.d\.ts$/;

const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

async function listTs(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'dist' && entry.name !== 'node_modules' && entry.name !== 'fixtures')
        out.push(...(await listTs(full)));
    } else if (entry.name.endsWith('.ts') && !SKIP.test(entry.name)) out.push(full);
  }
  return out;
}

async function buildProject(srcDir, distDir) {
  await rm(distDir, { recursive: true, force: true });
  const files = await listTs(srcDir);
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, { ...SWC_OPTIONS, filename: file, swcrc: false });
      const target = join(distDir, relative(srcDir, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, code);
    }),
  );
  return files.length;
}

const started = Date.now();
let count = 0;
for (const group of ['libs', 'services', 'tools']) {
  for (const name of await readdir(join(ROOT, group)).catch(() => [])) {
    const projectRoot = join(ROOT, group, name);
    count += await buildProject(join(projectRoot, 'src'), join(projectRoot, 'dist'));
  }
}
// Test support that benchmarks and the soak run as processes (the exchange simulator).
const simulator = join(ROOT, 'test-e2e', 'exchange-simulator');
count += await buildProject(join(simulator, 'src'), join(simulator, 'dist'));
count += await buildProject(join(ROOT, 'bench'), join(ROOT, 'bench', 'dist'));
console.log(`build: ${count} files compiled in ${Date.now() - started} ms`);
