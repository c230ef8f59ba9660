import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { TokenPairResponse } from '../auth/auth.dto.js';
import type { PollAnswer as PollAnswerType } from '../push/push.gateway.js';
import { PollAnswer, TokenPair } from './gateway-routes.js';

// These hold at typecheck (tsc includes specs): the document's zod copies of answers that are TypeScript
// interfaces elsewhere must stay equal to them.
describe('the documented shapes of auth and poll', () => {
  it('equal the interfaces the controllers answer and accept', () => {
    expectTypeOf<z.infer<typeof TokenPair>>().toEqualTypeOf<TokenPairResponse>();
    // zod makes an `unknown` field optional (`value?: unknown`), so equal means assignable both ways here.
    expectTypeOf<z.infer<typeof PollAnswer>>().toExtend<PollAnswerType>();
    expectTypeOf<PollAnswerType>().toExtend<z.infer<typeof PollAnswer>>();
  });
});
