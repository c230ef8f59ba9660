import { createSubjects, type LifecycleTransitionV1 } from '@tm/contracts';
import { IllegalTransitionError, LifecycleRecorder } from '@tm/lifecycle';
import { describe, expect, it } from 'vitest';
import { ApplicationLifecycle } from './application-lifecycle.js';
import { ServiceHostError } from './service-host.error.js';

function running() {
  const published: LifecycleTransitionV1[] = [];
  const recorder = new LifecycleRecorder({
    service: 'aggregator',
    instance: 'a-1',
    subjects: createSubjects('t0'),
    publish: (_subject, event) => void published.push(event),
  });
  const lifecycle = new ApplicationLifecycle(
    { service: 'aggregator', instance: 'a-1', startedAt: 1 },
    recorder,
  );
  const nats = lifecycle.registerDependency('nats');
  const postgres = lifecycle.registerDependency('postgres');
  const calls: string[] = [];
  const worker = lifecycle.registerFeature('worker', {
    pause: () => void calls.push('pause'),
    resume: () => void calls.push('resume'),
  });
  lifecycle.machine.transition('Deploying');
  for (const feature of [nats, postgres])
    for (const to of ['Deploying', 'Deployed', 'Running'] as const) feature.transition(to);
  lifecycle.machine.transition('Deployed');
  for (const to of ['Deploying', 'Deployed', 'Running'] as const) lifecycle.transitionWorkFeatures(to);
  lifecycle.machine.transition('Running');
  return { lifecycle, worker, calls, published };
}

async function allUp(lifecycle: ApplicationLifecycle) {
  await lifecycle.setDependency('nats', { up: true });
  await lifecycle.setDependency('postgres', { up: true });
}

describe('ApplicationLifecycle', () => {
  it('pauses and resumes the application and its work features, calling their hooks', async () => {
    const { lifecycle, worker, calls } = running();
    expect((await lifecycle.control('pause')).state).toBe('Paused');
    expect(worker.state).toBe('Paused');
    expect((await lifecycle.control('resume')).state).toBe('Running');
    expect(worker.state).toBe('Running');
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('refuses an action the table forbids, naming both states', async () => {
    const { lifecycle } = running();
    await expect(lifecycle.control('resume')).rejects.toThrow(IllegalTransitionError);
    await expect(lifecycle.control('park')).rejects.toThrow(/Running → Parked/);
    expect(lifecycle.state).toBe('Running');
  });

  it('stops, parks and brings a parked application back through Deploying', async () => {
    const { lifecycle, published } = running();
    await lifecycle.control('stop');
    await lifecycle.control('park');
    expect(lifecycle.state).toBe('Parked');
    expect((await lifecycle.control('resume')).state).toBe('Running');
    const app = published.filter((e) => e.level === 'application').map((e) => e.to);
    expect(app).toEqual([
      'Deploying',
      'Deployed',
      'Running',
      'Stopping',
      'Stopped',
      'Parked',
      'Deploying',
      'Deployed',
      'Running',
    ]);
  });

  it('answers reconfigure with UNSUPPORTED', async () => {
    const { lifecycle } = running();
    await expect(lifecycle.control('reconfigure')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(lifecycle.control('reconfigure')).rejects.toBeInstanceOf(ServiceHostError);
  });

  it('goes to Waiting when a dependency is lost and back to Running only when all are up again', async () => {
    const { lifecycle } = running();
    await allUp(lifecycle);
    await lifecycle.setDependency('nats', { up: false, detail: 'disconnected' });
    expect(lifecycle.state).toBe('Waiting');
    expect(lifecycle.dependency('nats').state).toBe('Waiting');
    expect(lifecycle.status().reason).toContain('NATS lost');
    await lifecycle.setDependency('postgres', { up: false, detail: 'ECONNREFUSED' });
    await lifecycle.setDependency('nats', { up: true });
    expect(lifecycle.state).toBe('Waiting');
    await lifecycle.setDependency('postgres', { up: true });
    expect(lifecycle.state).toBe('Running');
    expect(lifecycle.dependency('postgres').state).toBe('Running');
  });

  it('keeps a paused application paused when a dependency comes and goes', async () => {
    const { lifecycle } = running();
    await allUp(lifecycle);
    await lifecycle.control('pause');
    await lifecycle.setDependency('nats', { up: false });
    expect(lifecycle.state).toBe('Paused');
    expect(lifecycle.status().dependencies.nats).toEqual({ up: false });
    await lifecycle.setDependency('nats', { up: true });
    expect(lifecycle.state).toBe('Paused');
  });

  it('reports every feature and dependency in its status', () => {
    const { lifecycle } = running();
    const status = lifecycle.status();
    expect(status.features.map((f) => `${f.name}:${f.state}`)).toEqual([
      'nats:Running',
      'postgres:Running',
      'worker:Running',
    ]);
    expect(status).toMatchObject({
      v: 1,
      service: 'aggregator',
      instance: 'a-1',
      state: 'Running',
      pid: process.pid,
    });
  });

  it('refuses a feature registered twice', () => {
    const { lifecycle } = running();
    expect(() => lifecycle.registerFeature('worker')).toThrow(/registered twice/);
  });
});
