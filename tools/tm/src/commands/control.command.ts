import type { ControlOutcome } from '../fleet-client.js';
import { TmCliError } from '../tm-cli.error.js';

/** `aggregator` or `aggregator/aggregator-1`. */
export function parseTarget(target: string | undefined): { service: string; instance?: string } {
  const match = target?.match(/^([A-Za-z0-9_-]+)(?:\/([A-Za-z0-9_-]+))?$/);
  if (!match) throw new TmCliError('USAGE', `expected <service>[/<instance>], got "${target ?? ''}"`);
  return match[2] ? { service: match[1]!, instance: match[2] } : { service: match[1]! };
}

export function renderControlOutcomes(
  action: string,
  target: string,
  outcomes: readonly ControlOutcome[],
): { ok: boolean; lines: string[] } {
  if (outcomes.length === 0) throw new TmCliError('NO_ANSWER', `no instance of ${target} answered`);
  const lines = outcomes.map((outcome) =>
    outcome.ok
      ? `${outcome.target}: ${outcome.status.state}`
      : `${outcome.target}: refused ${action}: ${outcome.code}: ${outcome.message}`,
  );
  return { ok: outcomes.every((o) => o.ok), lines };
}
