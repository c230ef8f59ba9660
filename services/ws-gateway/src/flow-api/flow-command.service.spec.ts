import { InvalidReplyError, NoRespondersError, ReplyError, RequestTimeoutError } from '@tm/messaging';
import { describe, expect, it } from 'vitest';
import { FlowApiError } from './flow-api.error.js';
import { isFinished, refusalOf } from './flow-command.service.js';

const asApiError = (error: unknown) => {
  expect(error).toBeInstanceOf(FlowApiError);
  const { code, message, details } = error as FlowApiError;
  return { code, message, details };
};

describe('refusalOf', () => {
  it("keeps the engine's codes a client acts on, with INVALID_PAYLOAD's details", () => {
    expect(
      asApiError(
        refusalOf(new ReplyError('INVALID_PAYLOAD', 'bad', ['input.amount: too small']), 'start buy', true),
      ),
    ).toEqual({
      code: 'INVALID_PAYLOAD',
      message: 'bad',
      details: ['input.amount: too small'],
    });
    for (const code of ['IDEMPOTENCY_CONFLICT', 'NOT_FOUND', 'FLOW_FINISHED'] as const)
      expect(asApiError(refusalOf(new ReplyError(code, 'why'), 'get f1', false)).code).toBe(code);
  });

  it('makes silence and UNAVAILABLE a FLOW_ENGINE_UNAVAILABLE, telling a start to retry with its key', () => {
    expect(
      asApiError(refusalOf(new RequestTimeoutError('tm.flow.cmd.7', 400), 'start buy', true)).message,
    ).toBe(
      'no flow engine answered to start buy: no reply on tm.flow.cmd.7 within 400 ms; try again with the same idempotency key',
    );
    expect(asApiError(refusalOf(new NoRespondersError('tm.flow.cmd.7'), 'get f1', false))).toMatchObject({
      code: 'FLOW_ENGINE_UNAVAILABLE',
      message: expect.stringMatching(/; try again shortly$/),
    });
    expect(asApiError(refusalOf(new ReplyError('UNAVAILABLE', 'waiting'), 'get f1', false)).code).toBe(
      'FLOW_ENGINE_UNAVAILABLE',
    );
  });

  it('makes INTERNAL, other codes and an unusable reply a FLOW_ENGINE_FAILED; leaves other errors alone', () => {
    expect(asApiError(refusalOf(new ReplyError('INTERNAL', 'boom'), 'start buy', true))).toMatchObject({
      code: 'FLOW_ENGINE_FAILED',
      message: 'the flow engine failed to start buy: INTERNAL: boom',
    });
    expect(asApiError(refusalOf(new ReplyError('AMBIGUOUS', 'maybe'), 'start buy', true)).code).toBe(
      'FLOW_ENGINE_FAILED',
    );
    expect(
      asApiError(refusalOf(new InvalidReplyError('tm.flow.cmd.7', 'not a flow'), 'get f1', false)).code,
    ).toBe('FLOW_ENGINE_FAILED');
    const other = new TypeError('a bug');
    expect(refusalOf(other, 'get f1', false)).toBe(other);
  });
});

describe('isFinished', () => {
  it('is true for the statuses after which a flow changes no more', () => {
    expect(['running', 'canceling'].map((status) => isFinished({ status: status as 'running' }))).toEqual([
      false,
      false,
    ]);
    expect(
      (['succeeded', 'failed', 'canceled', 'refused'] as const).map((status) => isFinished({ status })),
    ).toEqual([true, true, true, true]);
  });
});
