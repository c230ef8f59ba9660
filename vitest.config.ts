import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The same aliases as tsconfig.base.json, so tests run the libs' sources, not their builds.
const tsconfig = JSON.parse(readFileSync(new URL('./tsconfig.base.json', import.meta.url), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, resolve(target)]),
);

export default defineConfig({
  plugins: [swc.vite({ jsc: { transform: { legacyDecorator: true, decoratorMetadata: true } } })],
  resolve: { alias },
  test: {
    include: [
      'libs/*/src/**/*.spec.ts',
      'libs/*/test/**/*.integration-spec.ts',
      'services/*/src/**/*.spec.ts',
      'services/*/test/**/*.integration-spec.ts',
      'tools/*/src/**/*.spec.ts',
      'tools/*/test/**/*.integration-spec.ts',
      'test-e2e/**/*.e2e-spec.ts',
      'test-e2e/exchange-simulator/src/**/*.spec.ts',
      'test/**/*.spec.ts',
      'deploy/**/*.spec.mjs',
    ],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
