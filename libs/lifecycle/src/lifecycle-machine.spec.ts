import { LIFECYCLE_STATES, type LifecycleState } from '@tm/contracts';
import { describe, expect, it, vi } from 'vitest';
import { IllegalTransitionError } from './illegal-transition.exception.js';
import { LifecycleMachine, type TransitionRecord } from './lifecycle-machine.js';
import { LIFECYCLE_TRANSITIONS } from './lifecycle-table.js';

type Path = readonly LifecycleState[];

// Test-side oracle for the two history rows: back only to the state left on entering Reconfiguring / Waiting.
function mayTake(path: Path, to: LifecycleState): boolean {
  const from = path.at(-1);
  if (from === 'Reconfigured' && (to === 'Running' || to === 'Paused')) return path.at(-3) === to;
  if (from === 'Waiting' && (to === 'Running' || to === 'Deploying')) return path.at(-2) === to;
  return true;
}

// BFS from Init over the table. The history a machine remembers lies in its last three states, so
// paths are told apart by those: every (state, remembered state) pair is reached, by a shortest path.
function legalPaths(): Path[] {
  const seen = new Map<string, Path>();
  const queue: Path[] = [['Init']];
  for (let path = queue.shift(); path; path = queue.shift()) {
    const key = path.slice(-3).join('>');
    if (seen.has(key)) continue;
    seen.set(key, path);
    for (const to of LIFECYCLE_TRANSITIONS[path.at(-1)!]) {
      if (mayTake(path, to)) queue.push([...path, to]);
    }
  }
  return [...seen.values()];
}

const PATHS = legalPaths();

function pathTo(from: LifecycleState, thenTo?: LifecycleState): Path {
  const path = PATHS.filter((p) => p.at(-1) === from && (thenTo === undefined || mayTake(p, thenTo))).sort(
    (a, b) => a.length - b.length,
  )[0];
  if (!path) throw new Error(`no legal path to ${from}${thenTo ? ` then ${thenTo}` : ''}`);
  return path;
}

function machineAfter(path: Path): LifecycleMachine {
  const machine = new LifecycleMachine({ name: 'aggregator/a-1', level: 'application' });
  for (const to of path.slice(1)) machine.transition(to);
  return machine;
}

function machineVia(...states: LifecycleState[]): LifecycleMachine {
  return machineAfter(['Init', ...states]);
}

const LEGAL = LIFECYCLE_STATES.flatMap((from) =>
  LIFECYCLE_TRANSITIONS[from].map((to) => [from, to] as const),
);
const ILLEGAL = LIFECYCLE_STATES.flatMap((from) =>
  LIFECYCLE_STATES.filter((to) => !LIFECYCLE_TRANSITIONS[from].includes(to)).map((to) => [from, to] as const),
);

describe('LifecycleMachine', () => {
  it('starts in Init, or in the given state, since its creation', () => {
    const clock = vi.fn(() => 1_000);
    expect(new LifecycleMachine({ name: 'm', level: 'application', clock })).toMatchObject({
      state: 'Init',
      since: 1_000,
      reason: undefined,
      name: 'm',
      level: 'application',
    });
    expect(new LifecycleMachine({ name: 'm', level: 'application-feature', initial: 'Parked' }).state).toBe(
      'Parked',
    );
  });

  it('covers all 43 legal and 213 illegal pairs', () => {
    expect(LEGAL).toHaveLength(43);
    expect(ILLEGAL).toHaveLength(16 * 16 - 43);
  });

  it.each(LEGAL)('takes %s → %s after a legal path there', (from, to) => {
    let now = 10;
    const machine = new LifecycleMachine({
      name: 'venue/binance',
      level: 'application-feature',
      clock: () => ++now,
    });
    for (const step of pathTo(from, to).slice(1)) machine.transition(step);
    expect(machine.state).toBe(from);
    expect(machine.canTransition(to)).toBe(true);

    const record = machine.transition(to, 'because');

    expect(record).toEqual({ from, to, reason: 'because', at: now });
    expect(machine.state).toBe(to);
    expect(machine.since).toBe(now);
    expect(machine.reason).toBe('because');
  });

  it.each(ILLEGAL)('refuses %s → %s and stays where it was', (from, to) => {
    const machine = machineAfter(pathTo(from));
    const heard = vi.fn();
    machine.onTransition(heard);
    const since = machine.since;
    expect(machine.canTransition(to)).toBe(false);

    let thrown: unknown;
    try {
      machine.transition(to);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(IllegalTransitionError);
    expect(thrown).toMatchObject({ code: 'ILLEGAL_TRANSITION', from, to, machine: 'aggregator/a-1' });
    expect((thrown as Error).message).toContain(
      `illegal lifecycle transition of aggregator/a-1: ${from} → ${to}`,
    );
    expect(machine.state).toBe(from);
    expect(machine.since).toBe(since);
    expect(heard).not.toHaveBeenCalled();
  });

  it('names both states and the machine in the message', () => {
    const machine = machineVia('Deploying', 'Deployed', 'Running');
    expect(() => machine.transition('Deployed')).toThrow(
      new IllegalTransitionError('aggregator/a-1', 'Running', 'Deployed'),
    );
    expect(() => machine.transition('Deployed')).toThrow(
      'illegal lifecycle transition of aggregator/a-1: Running → Deployed',
    );
  });

  describe('whichever it left', () => {
    it('Reconfigured returns to Running when it left Running', () => {
      const machine = machineVia('Deploying', 'Deployed', 'Running', 'Reconfiguring', 'Reconfigured');
      expect(machine.canTransition('Paused')).toBe(false);
      expect(() => machine.transition('Paused')).toThrow(
        'Reconfigured → Paused (it entered Reconfiguring from Running, so it may return only to Running)',
      );
      expect(machine.transition('Running').to).toBe('Running');
    });

    it('Reconfigured returns to Paused when it left Paused', () => {
      const machine = machineVia('Deploying', 'Deployed', 'Running', 'Pausing', 'Paused', 'Reconfiguring');
      machine.transition('Reconfigured');
      expect(machine.canTransition('Running')).toBe(false);
      expect(() => machine.transition('Running')).toThrow(
        'Reconfigured → Running (it entered Reconfiguring from Paused, so it may return only to Paused)',
      );
      expect(machine.transition('Paused').to).toBe('Paused');
    });

    it('Waiting returns to Deploying when it left Deploying', () => {
      const machine = machineVia('Deploying', 'Waiting');
      expect(() => machine.transition('Running')).toThrow(
        'Waiting → Running (it entered Waiting from Deploying, so it may return only to Deploying)',
      );
      expect(machine.transition('Deploying').to).toBe('Deploying');
    });

    it('Waiting returns to Running when it left Running', () => {
      const machine = machineVia('Deploying', 'Deployed', 'Running', 'Waiting');
      expect(() => machine.transition('Deploying')).toThrow(
        'Waiting → Deploying (it entered Waiting from Running, so it may return only to Running)',
      );
      expect(machine.transition('Running').to).toBe('Running');
    });

    it('keeps the other targets of the row open', () => {
      expect(machineVia('Deploying', 'Waiting').transition('Stopping').to).toBe('Stopping');
      expect(machineVia('Deploying', 'Waiting').transition('Error').to).toBe('Error');
      expect(machineVia('Deploying', 'Deployed', 'Running', 'Waiting').transition('Stopping').to).toBe(
        'Stopping',
      );
    });

    it('remembers the latest departure, not the first', () => {
      const machine = machineVia(
        'Deploying',
        'Deployed',
        'Running',
        'Reconfiguring',
        'Reconfigured',
        'Running',
      );
      for (const to of ['Pausing', 'Paused', 'Reconfiguring', 'Reconfigured'] as const)
        machine.transition(to);
      expect(machine.canTransition('Running')).toBe(false);
      expect(machine.transition('Paused').to).toBe('Paused');

      const waiting = machineVia('Deploying', 'Waiting', 'Deploying', 'Deployed', 'Running', 'Waiting');
      expect(waiting.canTransition('Deploying')).toBe(false);
      expect(waiting.canTransition('Running')).toBe(true);
    });

    it('allows either return when created there without history', () => {
      for (const [initial, targets] of [
        ['Reconfigured', ['Running', 'Paused']],
        ['Waiting', ['Running', 'Deploying']],
      ] as const) {
        for (const to of targets) {
          const machine = new LifecycleMachine({ name: 'm', level: 'application', initial });
          expect(machine.transition(to).to).toBe(to);
        }
      }
    });
  });

  it('Exited is terminal, and says so', () => {
    const machine = machineVia('Deploying', 'Deployed', 'Running', 'Stopping', 'Stopped', 'Exited');
    for (const to of LIFECYCLE_STATES) {
      expect(machine.canTransition(to)).toBe(false);
      expect(() => machine.transition(to)).toThrow(`Exited → ${to} (Exited is terminal)`);
    }
  });

  describe('listeners', () => {
    it('hear each transition after the state changed, in subscription order', () => {
      const machine = machineVia('Deploying');
      const heard: string[] = [];
      machine.onTransition((record, m) => heard.push(`first ${record.from}→${record.to} now ${m.state}`));
      machine.onTransition((record) => heard.push(`second ${record.to}`));

      const record = machine.transition('Waiting', 'nats down');

      expect(heard).toEqual(['first Deploying→Waiting now Waiting', 'second Waiting']);
      expect(record.reason).toBe('nats down');
    });

    it('receive the record and the machine itself', () => {
      const machine = machineVia();
      const listener = vi.fn<(record: TransitionRecord, m: LifecycleMachine) => void>();
      machine.onTransition(listener);
      const record = machine.transition('Deploying');
      expect(listener).toHaveBeenCalledExactlyOnceWith(record, machine);
      expect(record).not.toHaveProperty('reason');
    });

    it('stop hearing once unsubscribed, without affecting the others', () => {
      const machine = machineVia();
      const gone = vi.fn();
      const stays = vi.fn();
      const unsubscribe = machine.onTransition(gone);
      machine.onTransition(stays);
      machine.transition('Deploying');
      unsubscribe();
      unsubscribe();
      machine.transition('Deployed');
      expect(gone).toHaveBeenCalledTimes(1);
      expect(stays).toHaveBeenCalledTimes(2);
    });

    it('the same function subscribed twice is heard twice and unsubscribed once per subscription', () => {
      const machine = machineVia();
      const listener = vi.fn();
      const first = machine.onTransition(listener);
      machine.onTransition(listener);
      machine.transition('Deploying');
      first();
      machine.transition('Deployed');
      expect(listener).toHaveBeenCalledTimes(3);
    });

    it('all hear the transition when one throws; the caller gets that error and the state has changed', () => {
      const machine = machineVia();
      const after = vi.fn();
      machine.onTransition(() => {
        throw new Error('listener broke');
      });
      machine.onTransition(after);
      expect(() => machine.transition('Deploying')).toThrow('listener broke');
      expect(after).toHaveBeenCalledOnce();
      expect(machine.state).toBe('Deploying');
    });
  });

  it('stamps transitions with the injected clock, in micros', () => {
    const times = [100, 250, 900];
    const machine = new LifecycleMachine({ name: 'm', level: 'feature', clock: () => times.shift()! });
    expect(machine.since).toBe(100);
    expect(machine.transition('Deploying').at).toBe(250);
    expect(machine.since).toBe(250);
    machine.transition('Deployed', 'up');
    expect(machine.since).toBe(900);
    expect(machine.reason).toBe('up');
  });

  it('uses wall-clock micros by default', () => {
    const before = Date.now() * 1000;
    const at = new LifecycleMachine({ name: 'm', level: 'platform' }).transition('Deploying').at;
    expect(Number.isInteger(at)).toBe(true);
    expect(at).toBeGreaterThanOrEqual(before - 1_000_000);
    expect(at).toBeLessThanOrEqual(Date.now() * 1000 + 1_000_000);
  });
});
