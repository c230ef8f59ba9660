import { ControlCommandV1 } from '@tm/contracts';
import { describe, expect, it } from 'vitest';
import { InvalidPayloadError } from '../messaging.exception.js';
import { SchemaPipe } from './schema.pipe.js';

describe('SchemaPipe', () => {
  const pipe = new SchemaPipe(ControlCommandV1);

  it('passes a valid payload through, parsed', () => {
    expect(pipe.transform({ v: 1, action: 'pause', requestedBy: 'ops' })).toEqual({
      v: 1,
      action: 'pause',
      requestedBy: 'ops',
    });
  });

  it('refuses an invalid payload with an InvalidPayloadError naming every failing field', () => {
    let caught: unknown;
    try {
      pipe.transform({ v: 1, action: 42, reason: 7 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidPayloadError);
    const error = caught as InvalidPayloadError;
    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.message).toMatch(/action/);
    expect(error.details?.map((detail) => detail.split(':')[0])).toEqual(['action', 'reason']);
  });
});
