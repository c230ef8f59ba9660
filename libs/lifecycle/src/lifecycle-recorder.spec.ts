import { createSubjects, LifecycleTransitionV1 } from '@tm/contracts';
import { describe, expect, it, vi } from 'vitest';
import { LifecycleMachine } from './lifecycle-machine.js';
import { LifecycleRecorder } from './lifecycle-recorder.js';

const subjects = createSubjects('trec');

function recorderWith(
  publish: (subject: string, event: LifecycleTransitionV1) => void | Promise<void>,
  extra = {},
) {
  return new LifecycleRecorder({ service: 'venue-connectors', instance: 'v-1', subjects, publish, ...extra });
}

// Init → Deploying → Deployed → Running, then Running → Pausing → Paused → Running until `count` transitions.
function drive(machine: LifecycleMachine, count: number): void {
  const start = ['Deploying', 'Deployed', 'Running'] as const;
  const cycle = ['Pausing', 'Paused', 'Running'] as const;
  for (let i = 0; i < count; i += 1) {
    machine.transition(
      i < start.length ? start[i]! : cycle[(i - start.length) % cycle.length]!,
      `step ${i + 1}`,
    );
  }
}

describe('LifecycleRecorder', () => {
  it('publishes every transition as a valid LifecycleTransitionV1 on the instance lifecycle subject', () => {
    const published: [string, LifecycleTransitionV1][] = [];
    const recorder = recorderWith((subject, event) => {
      published.push([subject, event]);
    });
    let now = 1_000;
    const app = new LifecycleMachine({
      name: 'venue-connectors/v-1',
      level: 'application',
      clock: () => (now += 10),
    });
    const venue = new LifecycleMachine({
      name: 'binance',
      level: 'application-feature',
      clock: () => (now += 10),
    });
    recorder.attach(app, 'venue-connectors/v-1');
    recorder.attach(venue, 'venue-connectors/v-1/binance');

    const first = app.transition('Deploying');
    const second = venue.transition('Deploying', 'session opening');

    expect(published.map(([subject]) => subject)).toEqual([
      'trec.sys.lifecycle.venue-connectors.v-1',
      'trec.sys.lifecycle.venue-connectors.v-1',
    ]);
    const [a, b] = published.map(([, event]) => LifecycleTransitionV1.parse(event));
    expect(a).toEqual({
      v: 1,
      eventId: expect.any(String),
      service: 'venue-connectors',
      instance: 'v-1',
      level: 'application',
      path: 'venue-connectors/v-1',
      from: 'Init',
      to: 'Deploying',
      seq: 1,
      tsInit: first.at,
    });
    expect(b).toMatchObject({
      level: 'application-feature',
      path: 'venue-connectors/v-1/binance',
      reason: 'session opening',
      seq: 2,
      tsInit: second.at,
    });
    expect(a!.eventId).not.toBe(b!.eventId);
    expect(recorder.recent()).toEqual([a, b]);
  });

  it('keeps the last 50 of 60 transitions in order, with seq and unique event ids', () => {
    const publish = vi.fn();
    const recorder = recorderWith(publish);
    const machine = new LifecycleMachine({ name: 'venue-connectors/v-1', level: 'application' });
    recorder.attach(machine, 'venue-connectors/v-1');

    drive(machine, 60);

    const recent = recorder.recent();
    expect(publish).toHaveBeenCalledTimes(60);
    expect(recent).toHaveLength(50);
    expect(recent.map((event) => event.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(recent.map((event) => event.reason)).toEqual(
      Array.from({ length: 50 }, (_, i) => `step ${i + 11}`),
    );
    expect(recent.at(-1)).toMatchObject({ from: 'Paused', to: 'Running' });
    const ids = publish.mock.calls.map(([, event]) => (event as LifecycleTransitionV1).eventId);
    expect(new Set(ids).size).toBe(60);
  });

  it('keeps as many as asked', () => {
    const recorder = recorderWith(() => undefined, { keep: 3 });
    const machine = new LifecycleMachine({ name: 'm', level: 'application' });
    recorder.attach(machine, 'venue-connectors/v-1');
    drive(machine, 5);
    expect(recorder.recent().map((event) => event.seq)).toEqual([3, 4, 5]);
  });

  it('hands out a copy, not its own list', () => {
    const recorder = recorderWith(() => undefined);
    const machine = new LifecycleMachine({ name: 'm', level: 'application' });
    recorder.attach(machine, 'venue-connectors/v-1');
    machine.transition('Deploying');
    (recorder.recent() as LifecycleTransitionV1[]).length = 0;
    expect(recorder.recent()).toHaveLength(1);
  });

  it('survives a publish that throws: the transition stands, the event is kept, the error reported', () => {
    const errors: unknown[] = [];
    const recorder = recorderWith(
      () => {
        throw new Error('nats closed');
      },
      { onPublishError: (error: unknown) => errors.push(error) },
    );
    const machine = new LifecycleMachine({ name: 'm', level: 'application' });
    recorder.attach(machine, 'venue-connectors/v-1');

    drive(machine, 2);

    expect(machine.state).toBe('Deployed');
    expect(recorder.recent().map((event) => event.seq)).toEqual([1, 2]);
    expect(errors).toEqual([new Error('nats closed'), new Error('nats closed')]);
  });

  // Resolves once `count` errors were reported, so the test waits for them without sleeping.
  function reportedErrors(count: number): {
    onPublishError: (error: unknown) => void;
    all: Promise<unknown[]>;
  } {
    const errors: unknown[] = [];
    let done: (errors: unknown[]) => void = () => undefined;
    const all = new Promise<unknown[]>((resolve) => (done = resolve));
    return {
      onPublishError: (error) => {
        errors.push(error);
        if (errors.length === count) done(errors);
      },
      all,
    };
  }

  it('survives a publish that rejects, and reports each rejection', async () => {
    const reported = reportedErrors(3);
    const recorder = recorderWith(() => Promise.reject(new Error('no responders')), {
      onPublishError: reported.onPublishError,
    });
    const machine = new LifecycleMachine({ name: 'm', level: 'application' });
    recorder.attach(machine, 'venue-connectors/v-1');

    drive(machine, 3);

    expect(machine.state).toBe('Running');
    expect(recorder.recent()).toHaveLength(3);
    await expect(reported.all).resolves.toEqual([1, 2, 3].map(() => new Error('no responders')));
  });

  it('warns through the process when no error handler was given', async () => {
    const warned = new Promise<unknown>((resolve) => {
      vi.spyOn(process, 'emitWarning').mockImplementationOnce((warning) => resolve(warning));
    });
    try {
      const recorder = recorderWith(() => Promise.reject(new Error('timeout')));
      const machine = new LifecycleMachine({ name: 'm', level: 'application' });
      recorder.attach(machine, 'venue-connectors/v-1');
      machine.transition('Deploying');
      await expect(warned).resolves.toBe(
        'lifecycle event not published on trec.sys.lifecycle.venue-connectors.v-1: Error: timeout',
      );
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('stops recording a machine once detached', () => {
    const publish = vi.fn();
    const recorder = recorderWith(publish);
    const machine = new LifecycleMachine({ name: 'm', level: 'application' });
    const detach = recorder.attach(machine, 'venue-connectors/v-1');
    machine.transition('Deploying');
    detach();
    machine.transition('Deployed');
    expect(publish).toHaveBeenCalledOnce();
    expect(recorder.recent()).toHaveLength(1);
  });

  it('refuses a service or instance that is not a subject token', () => {
    expect(
      () => new LifecycleRecorder({ service: 'a.b', instance: 'v-1', subjects, publish: () => undefined }),
    ).toThrow('service "a.b" is not a valid subject token');
  });
});
