import { describe, expect, it } from 'vitest';
import { createServiceDataSource } from './service-data-source.js';
import { assertSchemaName } from './sql-identifier.js';

describe('schema names', () => {
  it('accepts plain lower-case identifiers up to 63 characters', () => {
    for (const name of ['aggregator', 'flow_engine', 't_0a1b', `a${'b'.repeat(62)}`])
      expect(assertSchemaName(name)).toBe(name);
  });

  it('refuses anything that would need quoting or is too long', () => {
    for (const name of ['', 'Aggregator', '1st', '_x', 'flow-engine', 'a"b', 'a b', `a${'b'.repeat(63)}`]) {
      expect(() => assertSchemaName(name)).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA_NAME' }));
    }
  });

  it('is checked before a data source is built', () => {
    expect(() =>
      createServiceDataSource({
        url: 'postgres://127.0.0.1:1/x',
        schema: 'public; DROP',
        applicationName: 'spec',
        migrations: [],
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_SCHEMA_NAME' }));
  });
});
