import { errors, type Msg } from '@nats-io/transport-node';
import {
  decodePayload,
  encodePayload,
  replyEnvelope,
  type DecodeResult,
  type ReplyEnvelope,
} from '@tm/contracts';
import type { z } from 'zod';
import {
  InvalidReplyError,
  NoRespondersError,
  ReplyError,
  RequestTimeoutError,
} from './messaging.exception.js';
import type { NatsLink } from './nats-link.js';

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * One envelope schema per result schema, built once: zod compiles a schema's parser on first use, and a
 * fresh envelope per request would compile it again every time (a hot spot under load).
 */
const envelopes = new WeakMap<z.ZodType, ReturnType<typeof replyEnvelope>>();
function envelopeOf<S extends z.ZodType>(result: S): ReturnType<typeof replyEnvelope<S>> {
  let envelope = envelopes.get(result);
  if (!envelope) envelopes.set(result, (envelope = replyEnvelope(result)));
  return envelope as ReturnType<typeof replyEnvelope<S>>;
}

// zod cannot narrow the envelope's union through a generic result schema; the shape is the same.
function decodeReply<S extends z.ZodType>(
  envelopeSchema: ReturnType<typeof replyEnvelope<S>>,
  data: Uint8Array,
): DecodeResult<ReplyEnvelope<z.infer<S>>> {
  return decodePayload(envelopeSchema, data) as DecodeResult<ReplyEnvelope<z.infer<S>>>;
}

/**
 * Typed request/reply over the platform's wire format: the payload is JSON, the reply is the envelope
 * `{ v: 1, ok: true, result } | { v: 1, ok: false, error }` and `replySchema` describes `result`.
 */
export class RequestClient {
  private skipped = 0;

  constructor(private readonly link: NatsLink) {}

  /**
   * Resolves with the validated result. Rejects with RequestTimeoutError, NoRespondersError,
   * InvalidReplyError (not an envelope, or the result fails the schema) or ReplyError (the responder's error).
   */
  async request<S extends z.ZodType>(
    subject: string,
    payload: unknown,
    replySchema: S,
    opts: { timeoutMs?: number } = {},
  ): Promise<z.infer<S>> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let reply: Msg;
    try {
      reply = await this.link.connection.request(subject, encodePayload(payload), { timeout: timeoutMs });
    } catch (error) {
      if (error instanceof errors.TimeoutError) throw new RequestTimeoutError(subject, timeoutMs);
      if (error instanceof errors.RequestError && error.isNoResponders())
        throw new NoRespondersError(subject);
      throw error;
    }
    const decoded = decodeReply(envelopeOf(replySchema), reply.data);
    if (!decoded.ok) throw new InvalidReplyError(subject, decoded.reason, decoded.details);
    const envelope = decoded.value;
    if (!envelope.ok)
      throw new ReplyError(
        envelope.error.code,
        envelope.error.message,
        envelope.error.details,
        envelope.error.retryAfterMs,
      );
    return envelope.result;
  }

  /**
   * Scatter-gather: one request, every responder's result collected for `windowMs` (or until `maxReplies` valid ones).
   * Error replies and invalid replies are skipped and counted in `skippedReplies`; no responder gives [].
   */
  async gather<S extends z.ZodType>(
    subject: string,
    payload: unknown,
    replySchema: S,
    opts: { windowMs: number; maxReplies?: number },
  ): Promise<z.infer<S>[]> {
    const envelopeSchema = envelopeOf(replySchema);
    const replies = await this.link.connection.requestMany(subject, encodePayload(payload), {
      strategy: 'timer',
      maxWait: opts.windowMs,
    });
    const results: z.infer<S>[] = [];
    try {
      for await (const reply of replies) {
        const decoded = decodeReply(envelopeSchema, reply.data);
        if (decoded.ok && decoded.value.ok) results.push(decoded.value.result);
        else this.skip(subject, decoded.ok ? decoded.value : decoded.reason);
        // Leaving the loop stops the iterator, which cancels the request.
        if (opts.maxReplies !== undefined && results.length >= opts.maxReplies) break;
      }
    } catch (error) {
      if (!(error instanceof errors.NoRespondersError)) throw error;
    }
    return results;
  }

  private skip(subject: string, reason: unknown): void {
    this.skipped += 1;
    this.link.logger.warn({ subject, reason }, 'gather skipped a reply');
  }

  /** Replies that gather() skipped because they were errors or invalid, since this client was made. */
  get skippedReplies(): number {
    return this.skipped;
  }
}
