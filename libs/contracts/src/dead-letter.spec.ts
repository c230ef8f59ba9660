import { describe, expect, it } from 'vitest';
import { deadLetterOf } from './dead-letter.js';
import { DeadLetterV1 } from './schemas/system.schema.js';

describe('deadLetterOf', () => {
  it('keeps the original subject and the exact bytes, even when they are not UTF-8', () => {
    const payload = new Uint8Array([0x7b, 0xff, 0x00, 0xfe, 0x22, 0x0a]);
    const letter = deadLetterOf({
      service: 'persister',
      instance: 'p-1',
      subject: 'tm.md.tick.17',
      reason: 'payload is not valid UTF-8',
      payload,
    });

    expect(DeadLetterV1.parse(letter)).toEqual(letter);
    expect(letter).toMatchObject({
      v: 1,
      service: 'persister',
      instance: 'p-1',
      subject: 'tm.md.tick.17',
      reason: 'payload is not valid UTF-8',
    });
    expect(new Uint8Array(Buffer.from(letter.payloadBase64, 'base64'))).toEqual(payload);
    expect(letter).not.toHaveProperty('headers');
  });

  it('round-trips an empty payload and keeps headers when given', () => {
    const letter = deadLetterOf({
      service: 'aggregator',
      instance: 'a-1',
      subject: 'tm.md.tick.1',
      reason: 'invalid payload: (root): Invalid input',
      payload: new Uint8Array(),
      headers: { 'Nats-Msg-Id': ['abc'] },
    });
    expect(Buffer.from(letter.payloadBase64, 'base64')).toHaveLength(0);
    expect(letter.headers).toEqual({ 'Nats-Msg-Id': ['abc'] });
  });

  it('stamps tsInit in integer microseconds', () => {
    const before = Date.now() * 1000;
    const letter = deadLetterOf({
      service: 's',
      instance: 'i',
      subject: 'x',
      reason: 'r',
      payload: Buffer.from('{}'),
    });
    expect(Number.isInteger(letter.tsInit)).toBe(true);
    expect(letter.tsInit).toBeGreaterThanOrEqual(before - 1_000_000);
  });
});
