import { describe, expect, it } from 'vitest';
import { deliverySequences } from './ordered-stream-reader.js';

describe('deliverySequences', () => {
  it('reads the stream and consumer sequences of both forms of a delivery subject', () => {
    expect(deliverySequences('$JS.ACK.TM_MD.c1.1.4711.12.1763683200000000000.0')).toEqual({
      streamSeq: 4711,
      consumerSeq: 12,
    });
    expect(deliverySequences('$JS.ACK._.ACCHASH.TM_MD.c1.1.4711.12.1763683200000000000.0.tok')).toEqual({
      streamSeq: 4711,
      consumerSeq: 12,
    });
  });

  it('refuses a subject that is not a delivery', () => {
    expect(deliverySequences('_INBOX.abc')).toBeUndefined();
    expect(deliverySequences('$JS.ACK.TM_MD.c1.1.x.12.1.0')).toBeUndefined();
  });
});
