import { describe, expect, it } from 'vitest';
import { ShardingError } from './sharding.error.js';
import { tmSlotMigration } from './tm-slot.migration.js';

describe('tmSlotMigration', () => {
  it('creates and drops tm_slot in the schema it is given', () => {
    expect(tmSlotMigration.id).toBe('0001_tm_slot');
    expect(tmSlotMigration.up('md')).toMatch(
      /^CREATE OR REPLACE FUNCTION "md"\.tm_slot\(key text\) RETURNS integer\s+LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE/,
    );
    expect(tmSlotMigration.down('md')).toBe('DROP FUNCTION IF EXISTS "md".tm_slot(text)');
  });

  it('quotes the schema as an identifier, doubling embedded quotes', () => {
    expect(tmSlotMigration.down('we"ird; DROP')).toBe(
      'DROP FUNCTION IF EXISTS "we""ird; DROP".tm_slot(text)',
    );
    expect(tmSlotMigration.up('Mixed Case')).toContain('"Mixed Case".tm_slot(');
  });

  it('refuses schema names PostgreSQL would truncate or cannot hold', () => {
    for (const bad of ['', 'a\0b', 'x'.repeat(64), 'é'.repeat(32)]) {
      expect(() => tmSlotMigration.up(bad)).toThrow(ShardingError);
      expect(() => tmSlotMigration.down(bad)).toThrow(/1-63 bytes/);
    }
  });
});
