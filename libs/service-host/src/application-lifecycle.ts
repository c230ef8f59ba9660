import type { ControlAction, FeatureStatusV1, InstanceStatusV1, LifecycleState } from '@tm/contracts';
import { nowMicros } from '@tm/contracts';
import { IllegalTransitionError, LifecycleMachine, type LifecycleRecorder } from '@tm/lifecycle';
import { hostname } from 'node:os';
import type { ServiceIdentity } from './service-definition.js';
import { ServiceHostError } from './service-host.error.js';

/** What a work feature (a venue session, a flow worker, …) does when the application pauses, resumes or drains. */
export interface FeatureHooks {
  pause?(): Promise<void> | void;
  resume?(): Promise<void> | void;
  /** Finish or hand back in-flight work before the deadline (epoch ms). */
  drain?(deadline: number): Promise<void> | void;
}

interface WorkFeature {
  readonly machine: LifecycleMachine;
  readonly hooks: FeatureHooks;
}

export type DependencyName = 'nats' | 'postgres';
export interface DependencyState {
  up: boolean;
  detail?: string;
}

/**
 * The application's own state machine and its features'. Every change goes through one queue, so a
 * pause, a lost dependency and a SIGTERM arriving together are applied one after the other.
 */
export class ApplicationLifecycle {
  readonly machine: LifecycleMachine;
  private readonly workFeatures = new Map<string, WorkFeature>();
  private readonly dependencyFeatures = new Map<DependencyName, LifecycleMachine>();
  private readonly dependencies = new Map<DependencyName, DependencyState>();
  private queue: Promise<unknown> = Promise.resolve();
  httpPort: number | undefined;

  constructor(
    private readonly identity: ServiceIdentity,
    private readonly recorder: LifecycleRecorder,
  ) {
    this.machine = new LifecycleMachine({ name: this.path(), level: 'application' });
    recorder.attach(this.machine, this.path());
  }

  get state(): LifecycleState {
    return this.machine.state;
  }

  /** A feature inside this application; it follows the application through deploy, pause, resume and stop. */
  registerFeature(name: string, hooks: FeatureHooks = {}): LifecycleMachine {
    if (this.workFeatures.has(name) || this.dependencyFeatures.has(name as DependencyName)) {
      throw new ServiceHostError('DUPLICATE_FEATURE', `feature "${name}" is registered twice`);
    }
    const machine = this.attachFeature(name);
    this.workFeatures.set(name, { machine, hooks });
    return machine;
  }

  /** A connection the application needs; its feature machine shows whether it is up. */
  registerDependency(name: DependencyName): LifecycleMachine {
    const machine = this.attachFeature(name);
    this.dependencyFeatures.set(name, machine);
    this.dependencies.set(name, { up: false, detail: 'not connected yet' });
    return machine;
  }

  dependency(name: DependencyName): LifecycleMachine {
    const machine = this.dependencyFeatures.get(name);
    if (!machine) throw new ServiceHostError('UNKNOWN_FEATURE', `dependency "${name}" is not registered`);
    return machine;
  }

  /** Applies one change after every change already queued. */
  serialize<T>(operation: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(operation, operation);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Moves the application (and its work features) one step, if the table allows it; returns whether it moved. */
  tryTransition(to: LifecycleState, reason?: string): boolean {
    if (!this.machine.canTransition(to)) return false;
    this.machine.transition(to, reason);
    return true;
  }

  transitionWorkFeatures(to: LifecycleState, reason?: string): void {
    for (const { machine } of this.workFeatures.values()) {
      if (machine.canTransition(to)) machine.transition(to, reason);
    }
  }

  /** Records a dependency going up or down, and moves the application to Waiting or back. */
  setDependency(name: DependencyName, state: DependencyState): Promise<void> {
    return this.serialize(() => {
      const previous = this.dependencies.get(name);
      this.dependencies.set(name, state);
      if (previous?.up === state.up) return;
      const feature = this.dependency(name);
      const label = name === 'nats' ? 'NATS' : 'PostgreSQL';
      if (!state.up) {
        if (feature.canTransition('Waiting'))
          feature.transition('Waiting', `${label} lost: ${state.detail ?? 'unreachable'}`);
        if (this.state === 'Running')
          this.machine.transition('Waiting', `${label} lost: ${state.detail ?? 'unreachable'}`);
        return;
      }
      if (feature.state === 'Waiting') feature.transition('Running', `${label} back`);
      if (this.state === 'Waiting' && this.allDependenciesUp() && this.machine.canTransition('Running')) {
        this.machine.transition('Running', 'dependencies back');
      }
    });
  }

  allDependenciesUp(): boolean {
    return [...this.dependencies.values()].every((d) => d.up);
  }

  firstDependencyDown(): string | undefined {
    for (const [name, state] of this.dependencies) if (!state.up) return `${name}: ${state.detail ?? 'down'}`;
    return undefined;
  }

  /** An operator's command from `tm.sys.ctl.*`. Illegal ones are refused with both states named. */
  control(action: ControlAction, reason?: string): Promise<InstanceStatusV1> {
    return this.serialize(async () => {
      const why = reason ?? `operator ${action}`;
      switch (action) {
        case 'pause':
          this.require('Pausing');
          this.machine.transition('Pausing', why);
          await this.forEachWorkFeature('Pausing', 'Paused', (hooks) => hooks.pause?.(), why);
          this.machine.transition('Paused', why);
          break;
        case 'resume':
          if (this.state === 'Parked') {
            this.machine.transition('Deploying', why);
            this.machine.transition('Deployed', why);
          }
          this.require('Running');
          await this.forEachWorkFeature(undefined, 'Running', (hooks) => hooks.resume?.(), why);
          this.machine.transition('Running', why);
          break;
        case 'stop':
          this.require('Stopping');
          this.machine.transition('Stopping', why);
          await this.forEachWorkFeature('Stopping', 'Stopped', (hooks) => hooks.pause?.(), why);
          this.machine.transition('Stopped', why);
          break;
        case 'park':
          this.require('Parked');
          this.transitionWorkFeatures('Parked', why);
          this.machine.transition('Parked', why);
          break;
        case 'reconfigure':
          throw new ServiceHostError(
            'UNSUPPORTED',
            `${this.path()} takes its configuration at start; restart it with the new environment`,
          );
      }
      return this.status();
    });
  }

  status(): InstanceStatusV1 {
    const features: FeatureStatusV1[] = [];
    for (const [name, machine] of [
      ...this.dependencyFeatures,
      ...[...this.workFeatures].map(([n, f]) => [n, f.machine] as const),
    ]) {
      features.push({
        name,
        state: machine.state,
        since: machine.since,
        ...(machine.reason ? { reason: machine.reason } : {}),
      });
    }
    const reason = this.machine.reason;
    return {
      v: 1,
      service: this.identity.service,
      instance: this.identity.instance,
      state: this.state,
      since: this.machine.since,
      ...(reason ? { reason } : {}),
      startedAt: this.identity.startedAt,
      tsInit: nowMicros(),
      pid: process.pid,
      host: hostname(),
      ...(this.httpPort !== undefined ? { httpPort: this.httpPort } : {}),
      features,
      dependencies: Object.fromEntries(this.dependencies),
    };
  }

  workFeatureHooks(): FeatureHooks[] {
    return [...this.workFeatures.values()].map((f) => f.hooks);
  }

  allFeatureMachines(): LifecycleMachine[] {
    return [...[...this.workFeatures.values()].map((f) => f.machine), ...this.dependencyFeatures.values()];
  }

  recentTransitions() {
    return this.recorder.recent();
  }

  private require(to: LifecycleState): void {
    if (!this.machine.canTransition(to)) {
      throw new IllegalTransitionError(this.path(), this.state, to);
    }
  }

  private async forEachWorkFeature(
    via: LifecycleState | undefined,
    to: LifecycleState,
    hook: (hooks: FeatureHooks) => Promise<void> | void,
    reason: string,
  ): Promise<void> {
    for (const { machine, hooks } of this.workFeatures.values()) {
      if (machine.state === 'Parked') continue;
      if (via && machine.canTransition(via)) machine.transition(via, reason);
      await hook(hooks);
      if (machine.canTransition(to)) machine.transition(to, reason);
    }
  }

  private attachFeature(name: string): LifecycleMachine {
    const path = `${this.path()}/${name}`;
    const machine = new LifecycleMachine({ name: path, level: 'application-feature' });
    this.recorder.attach(machine, path);
    return machine;
  }

  private path(): string {
    return `${this.identity.service}/${this.identity.instance}`;
  }
}
