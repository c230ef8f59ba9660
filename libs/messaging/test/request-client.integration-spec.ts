import type { Subscription } from '@nats-io/transport-node';
import { encodePayload } from '@tm/contracts';
import {
  InvalidReplyError,
  NatsLink,
  NoRespondersError,
  ReplyError,
  RequestClient,
  RequestTimeoutError,
} from '../src/index.js';
import { uniqueSubjectRoot } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';

const root = uniqueSubjectRoot();
const Echo = z.object({ echoed: z.string(), by: z.string() });

describe('RequestClient', () => {
  let link: NatsLink;
  let client: RequestClient;
  const subscriptions: Subscription[] = [];

  /** A responder that answers each request with whatever `answer` returns (raw bytes, no envelope added). */
  function respond(subject: string, answer: (request: { text: string }) => unknown): void {
    subscriptions.push(
      link.connection.subscribe(subject, {
        callback: (_error, msg) => {
          const reply = answer(msg.json<{ text: string }>());
          if (reply !== undefined) msg.respond(typeof reply === 'string' ? reply : encodePayload(reply));
        },
      }),
    );
  }

  beforeAll(async () => {
    link = await NatsLink.connect({
      servers: [inject('natsUrl')],
      name: 'messaging-test/request-client',
      pingIntervalMs: 5_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    client = new RequestClient(link);
    respond(`${root}.echo`, ({ text }) => ({ v: 1, ok: true, result: { echoed: text, by: 'a' } }));
    respond(`${root}.silent`, () => undefined);
    respond(`${root}.garbage`, () => 'not json at all');
    respond(`${root}.wrong-shape`, () => ({ v: 1, ok: true, result: { echoed: 42 } }));
    respond(`${root}.refuses`, () => ({
      v: 1,
      ok: false,
      error: {
        code: 'ILLEGAL_TRANSITION',
        message: 'Running → Parked is not allowed',
        details: ['from: Running'],
      },
    }));
    for (const by of ['a', 'b', 'c']) {
      respond(`${root}.status`, ({ text }) => ({ v: 1, ok: true, result: { echoed: text, by } }));
    }
    respond(`${root}.status`, () => ({ v: 1, ok: true, result: { nonsense: true } }));
    await link.connection.flush();
  });

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await link?.close();
  });

  it('sends JSON and resolves with the validated result of the reply envelope', async () => {
    await expect(client.request(`${root}.echo`, { text: 'hi' }, Echo)).resolves.toEqual({
      echoed: 'hi',
      by: 'a',
    });
  });

  it('rejects with RequestTimeoutError when nobody answers in time', async () => {
    const failure = client.request(`${root}.silent`, { text: 'hi' }, Echo, { timeoutMs: 150 });
    await expect(failure).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(failure).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });

  it('rejects with NoRespondersError when nobody listens', async () => {
    const failure = client.request(`${root}.nobody`, { text: 'hi' }, Echo);
    await expect(failure).rejects.toBeInstanceOf(NoRespondersError);
    await expect(failure).rejects.toMatchObject({ code: 'NO_RESPONDERS' });
  });

  it('rejects with InvalidReplyError when the reply is not JSON or fails the schema', async () => {
    await expect(client.request(`${root}.garbage`, { text: 'hi' }, Echo)).rejects.toBeInstanceOf(
      InvalidReplyError,
    );
    const wrongShape = client.request(`${root}.wrong-shape`, { text: 'hi' }, Echo);
    await expect(wrongShape).rejects.toBeInstanceOf(InvalidReplyError);
    await expect(wrongShape).rejects.toMatchObject({
      code: 'INVALID_REPLY',
      message: expect.stringMatching(/echoed/),
    });
  });

  it("rejects with ReplyError carrying the responder's code, message and details", async () => {
    const failure = client.request(`${root}.refuses`, { text: 'hi' }, Echo);
    await expect(failure).rejects.toBeInstanceOf(ReplyError);
    await expect(failure).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      message: 'Running → Parked is not allowed',
      details: ['from: Running'],
    });
  });

  it('gathers the result of every responder within the window, skipping and counting the invalid one', async () => {
    const before = client.skippedReplies;
    const results = await client.gather(`${root}.status`, { text: 'who' }, Echo, { windowMs: 300 });
    expect(results.map((result) => result.by).sort()).toEqual(['a', 'b', 'c']);
    expect(results.every((result) => result.echoed === 'who')).toBe(true);
    expect(client.skippedReplies - before).toBe(1);
  });

  it('stops gathering at maxReplies and gathers nothing when nobody listens', async () => {
    await expect(
      client.gather(`${root}.status`, { text: 'who' }, Echo, { windowMs: 5_000, maxReplies: 2 }),
    ).resolves.toHaveLength(2);
    await expect(client.gather(`${root}.nobody`, { text: 'who' }, Echo, { windowMs: 300 })).resolves.toEqual(
      [],
    );
  });
});
