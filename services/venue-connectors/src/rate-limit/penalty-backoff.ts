// How long a venue account pauses after the venue said 429 (slow down) or 418 (banned).
import { z } from 'zod';
import type { RateBudgetSettings } from './rate-budget.settings.js';

export type PenaltyStatus = 429 | 418;

export interface Penalty {
  status: PenaltyStatus;
  /** The venue's Retry-After, in milliseconds, when it sent one. */
  retryAfterMs?: number;
}

/** The pause shared by every replica, stored under the venue account's pause key. */
export const pauseStateSchema = z.object({
  untilMs: z.number().int().nonnegative(),
  /** Doubling step of the last penalty without a clean window since (0 = first). */
  level: z.number().int().nonnegative(),
  status: z.union([z.literal(429), z.literal(418)]),
  atMs: z.number().int().nonnegative(),
});
export type PauseState = z.infer<typeof pauseStateSchema>;

/** A window with no penalty after a pause ends resets the doubling. */
export const CLEAN_WINDOW_MS = 1_000;

export type BackoffSettings = Pick<RateBudgetSettings, 'initialBackoffMs' | 'maxBackoffMs'>;

export function doublingPauseMs(level: number, settings: BackoffSettings): number {
  return Math.min(settings.initialBackoffMs * 2 ** Math.min(level, 30), settings.maxBackoffMs);
}

/**
 * The pause after `penalty` at `nowMs`, given the pause already stored (if any).
 * - Penalties arriving while a pause runs were requests already in flight: they never escalate,
 *   and only extend the pause when their Retry-After says so.
 * - After a pause ends, another penalty before a clean window doubles the pause; a clean window resets it.
 * - 429 with Retry-After pauses exactly that long; 418 pauses at least that long (and never less than the
 *   doubling pause); without Retry-After both take the doubling pause.
 */
export function nextPause(
  previous: PauseState | null,
  penalty: Penalty,
  nowMs: number,
  settings: BackoffSettings,
): PauseState {
  const retryAfterMs =
    penalty.retryAfterMs !== undefined && Number.isFinite(penalty.retryAfterMs)
      ? Math.max(0, Math.ceil(penalty.retryAfterMs))
      : undefined;
  if (previous && nowMs < previous.untilMs) {
    const untilMs = Math.max(previous.untilMs, nowMs + (retryAfterMs ?? 0));
    return { untilMs, level: previous.level, status: penalty.status, atMs: nowMs };
  }
  const level = previous && nowMs < previous.untilMs + CLEAN_WINDOW_MS ? previous.level + 1 : 0;
  const doubling = doublingPauseMs(level, settings);
  let pauseMs: number;
  if (retryAfterMs === undefined) pauseMs = doubling;
  else if (penalty.status === 418) pauseMs = Math.max(retryAfterMs, doubling);
  else pauseMs = retryAfterMs;
  return { untilMs: nowMs + pauseMs, level, status: penalty.status, atMs: nowMs };
}
