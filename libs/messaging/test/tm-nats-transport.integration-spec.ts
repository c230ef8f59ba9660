// A Nest microservice on TmNatsTransport: platform wire format, typed error replies, dead letters.
import type { JetStreamManager } from '@nats-io/jetstream';
import { Controller, Module, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import {
  BeaconV1,
  ControlCommandV1,
  createStreams,
  createSubjects,
  DeadLetterV1,
  replyEnvelope,
  type Subjects,
} from '@tm/contracts';
import {
  DeadLetterPublisher,
  MessagingError,
  NatsLink,
  provisionStream,
  ReliablePublisher,
  ReplyErrorFilter,
  RequestClient,
  SchemaPipe,
  TmNatsTransport,
  type MessagingLogger,
} from '../src/index.js';
import { expectEventually, uniqueSubjectRoot } from '@tm/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { readStream } from './stream-reader.js';

const SERVICE = 'aggregator';
const root = uniqueSubjectRoot();
const subjects = createSubjects(root);
const streams = createStreams(root);
const ControlResult = z.object({ instance: z.string(), action: z.string() });
const AnyEnvelope = replyEnvelope(z.unknown());

/** Subjects are known only at run time, so the controller class is made by a factory. */
function controlController(subjects: Subjects, instance: string, beacons: BeaconV1[]): Type {
  @Controller()
  class ControlController {
    @MessagePattern(subjects.sysCtl(SERVICE, instance))
    control(@Payload(new SchemaPipe(ControlCommandV1)) command: ControlCommandV1) {
      if (command.action === 'park') {
        throw Object.assign(new Error('illegal lifecycle transition: Running → Parked'), {
          code: 'ILLEGAL_TRANSITION',
        });
      }
      if (command.action === 'reconfigure')
        throw new MessagingError('UNSUPPORTED', 'reconfigure is not supported here');
      if (command.action === 'stop') throw new Error('db password=hunter2 at pool.ts:12');
      return { instance, action: command.action };
    }

    // A subject held in a variable needs the type argument, or TS cannot pick the decorator overload.
    @EventPattern<string>(subjects.sysBeacon(SERVICE, instance))
    beacon(@Payload(new SchemaPipe(BeaconV1)) beacon: BeaconV1) {
      beacons.push(beacon);
    }
  }
  return ControlController;
}

function recordingLogger() {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const logger: MessagingLogger = {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
  return { lines, logger };
}

describe('TmNatsTransport', () => {
  let link: NatsLink;
  let jsm: JetStreamManager;
  let publisher: ReliablePublisher;
  let client: RequestClient;
  const apps: INestMicroservice[] = [];

  async function startService(instance: string, opts: { filter: boolean }) {
    const beacons: BeaconV1[] = [];
    const { lines, logger } = recordingLogger();
    @Module({ controllers: [controlController(subjects, instance, beacons)] })
    class ControlModule {}
    const deadLetters = new DeadLetterPublisher({ publisher, subjects, service: SERVICE, instance });
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(ControlModule, {
      strategy: new TmNatsTransport({ link, deadLetters, logger }),
      logger: false,
    });
    if (opts.filter) app.useGlobalFilters(new ReplyErrorFilter());
    await app.listen();
    apps.push(app);
    await link.connection.flush();
    return {
      beacons,
      lines,
      ctl: subjects.sysCtl(SERVICE, instance),
      beacon: subjects.sysBeacon(SERVICE, instance),
    };
  }

  async function rawRequest(subject: string, body: string) {
    const reply = await link.connection.request(subject, body, { timeout: 2_000 });
    return AnyEnvelope.parse(reply.json());
  }

  async function deadLetters(): Promise<DeadLetterV1[]> {
    return (await readStream(jsm, streams.DLQ.name)).map((message) => DeadLetterV1.parse(message.json()));
  }

  function validBeacon(instance: string): BeaconV1 {
    return {
      v: 1,
      service: SERVICE,
      instance,
      state: 'Running',
      tsInit: 1,
      startedAt: 1,
      pid: 42,
      host: 'h',
    };
  }

  beforeAll(async () => {
    link = await NatsLink.connect({
      servers: [inject('natsUrl')],
      name: 'messaging-test/transport',
      pingIntervalMs: 5_000,
      maxPingOut: 2,
      reconnectWaitMs: 200,
      reconnectJitterMs: 100,
    });
    jsm = await link.jetstreamManager();
    await provisionStream(jsm, streams.DLQ);
    publisher = new ReliablePublisher(link);
    client = new RequestClient(link);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    publisher?.close();
    await jsm?.streams.delete(streams.DLQ.name).catch(() => false);
    await link?.close();
  });

  describe('with ReplyErrorFilter registered', () => {
    let service: Awaited<ReturnType<typeof startService>>;

    beforeAll(async () => {
      service = await startService('a-1', { filter: true });
    });

    it('answers a valid request with the ok envelope', async () => {
      await expect(rawRequest(service.ctl, JSON.stringify({ v: 1, action: 'pause' }))).resolves.toEqual({
        v: 1,
        ok: true,
        result: { instance: 'a-1', action: 'pause' },
      });
      await expect(client.request(service.ctl, { v: 1, action: 'resume' }, ControlResult)).resolves.toEqual({
        instance: 'a-1',
        action: 'resume',
      });
    });

    it('answers malformed JSON with INVALID_PAYLOAD and dead-letters the original bytes', async () => {
      const body = '{"v":1,"action":';
      const reply = await rawRequest(service.ctl, body);
      expect(reply).toMatchObject({ v: 1, ok: false, error: { code: 'INVALID_PAYLOAD' } });
      const letter = await expectEventually(async () => {
        const found = (await deadLetters()).find(
          (letter) => Buffer.from(letter.payloadBase64, 'base64').toString() === body,
        );
        expect(found).toBeDefined();
        return found!;
      });
      expect(letter).toMatchObject({ service: SERVICE, instance: 'a-1', subject: service.ctl });
      expect(letter.reason).toMatch(/not JSON/);
    });

    it('answers wrong field types with INVALID_PAYLOAD naming the fields, and dead-letters them', async () => {
      const body = JSON.stringify({ v: 1, action: 42, requestedBy: 7 });
      const reply = await rawRequest(service.ctl, body);
      expect(reply.ok).toBe(false);
      if (reply.ok) return;
      expect(reply.error.code).toBe('INVALID_PAYLOAD');
      expect(reply.error.details?.map((detail) => detail.split(':')[0])).toEqual(['action', 'requestedBy']);
      const letter = await expectEventually(async () => {
        const found = (await deadLetters()).find(
          (letter) => Buffer.from(letter.payloadBase64, 'base64').toString() === body,
        );
        expect(found).toBeDefined();
        return found!;
      });
      expect(letter.reason).toMatch(/action/);
      expect(letter.reason).toMatch(/requestedBy/);
    });

    it('keeps the code of an error that carries one, and hides anything else behind INTERNAL', async () => {
      await expect(rawRequest(service.ctl, JSON.stringify({ v: 1, action: 'park' }))).resolves.toEqual({
        v: 1,
        ok: false,
        error: { code: 'ILLEGAL_TRANSITION', message: 'illegal lifecycle transition: Running → Parked' },
      });
      await expect(rawRequest(service.ctl, JSON.stringify({ v: 1, action: 'reconfigure' }))).resolves.toEqual(
        {
          v: 1,
          ok: false,
          error: { code: 'UNSUPPORTED', message: 'reconfigure is not supported here' },
        },
      );
      const internal = await rawRequest(service.ctl, JSON.stringify({ v: 1, action: 'stop' }));
      expect(internal).toEqual({ v: 1, ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
      expect(JSON.stringify(internal)).not.toMatch(/hunter2|pool\.ts/);
      expect(
        service.lines.some(
          (line) =>
            line.level === 'error' && String((line.obj as { err?: Error }).err?.message).includes('hunter2'),
        ),
      ).toBe(true);
    });

    it('handles a valid event and dead-letters an invalid one, naming the missing field', async () => {
      link.connection.publish(service.beacon, JSON.stringify(validBeacon('a-1')));
      const body = JSON.stringify({ v: 1, service: SERVICE, state: 'Running' });
      link.connection.publish(service.beacon, body);
      await expectEventually(() => expect(service.beacons).toEqual([validBeacon('a-1')]));
      const letter = await expectEventually(async () => {
        const found = (await deadLetters()).find(
          (letter) => Buffer.from(letter.payloadBase64, 'base64').toString() === body,
        );
        expect(found).toBeDefined();
        return found!;
      });
      expect(letter.subject).toBe(service.beacon);
      expect(letter.reason).toMatch(/instance/);
    });

    it('still answers the next valid request after all of that', async () => {
      await expect(client.request(service.ctl, { v: 1, action: 'pause' }, ControlResult)).resolves.toEqual({
        instance: 'a-1',
        action: 'pause',
      });
    });
  });

  describe('without ReplyErrorFilter', () => {
    it('still keeps MessagingError codes and dead-letters schema failures; plain errors become INTERNAL', async () => {
      const service = await startService('a-2', { filter: false });
      const body = JSON.stringify({ v: 1, action: 'jump' });
      await expect(rawRequest(service.ctl, body)).resolves.toMatchObject({
        ok: false,
        error: { code: 'INVALID_PAYLOAD' },
      });
      await expectEventually(async () =>
        expect(
          (await deadLetters()).some(
            (letter) => letter.instance === 'a-2' && letter.reason.includes('action'),
          ),
        ).toBe(true),
      );
      await expect(
        rawRequest(service.ctl, JSON.stringify({ v: 1, action: 'reconfigure' })),
      ).resolves.toMatchObject({
        error: { code: 'UNSUPPORTED' },
      });
      await expect(rawRequest(service.ctl, JSON.stringify({ v: 1, action: 'park' }))).resolves.toEqual({
        v: 1,
        ok: false,
        error: { code: 'INTERNAL', message: 'internal error' },
      });
      await expect(client.request(service.ctl, { v: 1, action: 'pause' }, ControlResult)).resolves.toEqual({
        instance: 'a-2',
        action: 'pause',
      });
    });
  });

  it('leaves the shared connection open when the microservice closes', async () => {
    const app = apps.pop()!;
    await app.close();
    expect(link.isConnected).toBe(true);
    await expect(
      client.request(subjects.sysCtl(SERVICE, 'a-1'), { v: 1, action: 'pause' }, ControlResult),
    ).resolves.toEqual({
      instance: 'a-1',
      action: 'pause',
    });
  });
});
