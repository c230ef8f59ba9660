import {
  clientOrderIdOf,
  type CancelOrderRequestV1,
  type CreateOrderRequestV1,
  type FetchOrderRequestV1,
  type OrderStateV1,
  type VenueErrorCode,
  type VenueOpRequest,
} from '@tm/contracts';
import { VenueError, type VenueAdapter } from '@tm/venues';
import type { Logger } from '@tm/telemetry';
import type { z } from 'zod';
import { BreakerOpenError, type VenueCallGuard } from '../sessions/venue-call-guard.js';
import type { ExecutionThrottle } from './execution-throttle.js';
import type { OrderRegistry } from './order-registry.js';
import type { ReconciliationGate } from '../reconciliation/reconciliation-gate.js';
import { orderStateOf, orderStateOfVenue, type VenueOrderRecord } from './venue-order.record.js';

export interface OrderDeskSettings {
  /**
   * How long after sending an order the venue may still accept it (Binance: recvWindow). Until then a
   * "not found" is not an answer; after it, the order was certainly never placed and is re-sent.
   */
  resolveWindowMs: number;
  /** Sends of one order before it is left in flight for reconciliation. */
  maxSends: number;
}

// The venue refused and nothing was placed: the refusal is the order's final answer.
const DEFINITE_REFUSALS: ReadonlySet<VenueErrorCode> = new Set([
  'INSUFFICIENT_FUNDS',
  'INVALID_ORDER',
  'POST_ONLY_WOULD_CROSS',
  'NOT_FOUND',
]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Places, cancels and edits orders on one venue account so that none is duplicated or lost: the order is
 * recorded in flight before it is sent, under a client order id derived from its origin; an ambiguous
 * answer (timeout, 5xx, dropped ack) is resolved by asking the venue, never by assuming it failed.
 */
export class OrderDesk {
  constructor(
    private readonly adapter: VenueAdapter,
    private readonly registry: OrderRegistry,
    private readonly throttle: ExecutionThrottle,
    private readonly guard: VenueCallGuard,
    private readonly gate: ReconciliationGate,
    private readonly settings: OrderDeskSettings,
    private readonly logger: Logger,
  ) {}

  async create(request: CreateOrderRequestV1): Promise<VenueOrderRecord> {
    const clientOrderId = clientOrderIdOf(request.origin);
    const { record, created } = await this.registry.reserve({
      clientOrderId,
      instrument: request.instrument,
      side: request.side,
      kind: request.kind,
      timeInForce: request.timeInForce ?? (request.kind === 'market' ? 'IOC' : 'GTC'),
      price: request.price ?? null,
      amount: request.amount,
      origin: request.origin,
    });
    // A retry of the same origin: the first answer stands; one still in flight is resolved now.
    if (!created) return record.status === 'in_flight' ? this.resolve(record, 'resend') : record;
    return this.send(record, 1, true);
  }

  async cancel(request: z.infer<typeof CancelOrderRequestV1>): Promise<VenueOrderRecord> {
    const record = await this.find(request);
    if (record.status !== 'open' && record.status !== 'in_flight') return record;
    await this.throttle.acquire('cancel');
    try {
      const canceled = await this.guard.call(() =>
        this.adapter.cancelOrder({
          instrument: record.instrument,
          clientOrderId: record.clientOrderId,
          ...(record.venueOrderId ? { venueOrderId: record.venueOrderId } : {}),
        }),
      );
      return (
        (await this.registry.applyVenueOrder(canceled, { reconciled: false, known: record }))?.record ??
        record
      );
    } catch (error) {
      const code = this.codeOf(error);
      // Not open on the venue (filled, canceled, never placed) or an unclear answer: ask what it has.
      if (code === 'NOT_FOUND' || code === 'AMBIGUOUS') return this.refresh(record);
      throw error;
    }
  }

  async edit(request: VenueOpRequest<'edit-order'>): Promise<VenueOrderRecord> {
    // A retry of the same edit: the replacement's first answer stands, whatever the old order is now.
    const replacementId = clientOrderIdOf(request.origin);
    const earlier = await this.registry.get(replacementId);
    if (earlier) return earlier.status === 'in_flight' ? this.resolve(earlier, 'reject') : earlier;
    const previous = await this.find({
      instrument: request.instrument,
      clientOrderId: request.clientOrderId,
    });
    if (previous.status !== 'open' || previous.venueOrderId === null) {
      throw new VenueError(
        'INVALID_ORDER',
        `order ${previous.clientOrderId} is ${previous.status}, not open`,
        {
          field: 'clientOrderId',
        },
      );
    }
    this.refuseWhileReconciling();
    const { record, created } = await this.registry.reserve({
      clientOrderId: replacementId,
      instrument: previous.instrument,
      side: previous.side,
      kind: previous.kind,
      timeInForce: previous.timeInForce,
      price: request.price,
      amount: request.amount,
      origin: request.origin,
    });
    const venueOrderId = previous.venueOrderId;
    let replaced = await this.sendOnce(record, created, () =>
      this.adapter.editOrder({
        instrument: record.instrument,
        venueOrderId,
        clientOrderId: record.clientOrderId,
        amount: request.amount,
        price: request.price,
      }),
    );
    // Never re-sent: a cancel-replace that did not place the replacement may have left the old order working.
    if (replaced.status === 'in_flight') replaced = await this.resolve(replaced, 'reject');
    await this.refresh(previous);
    return replaced;
  }

  /** The venue's state of an order: applied to the platform's picture when the platform knows it. */
  async fetch(ref: z.infer<typeof FetchOrderRequestV1>): Promise<OrderStateV1> {
    const known = ref.clientOrderId
      ? await this.registry.get(ref.clientOrderId)
      : ref.venueOrderId
        ? await this.registry.getByVenueOrderId(ref.venueOrderId)
        : undefined;
    if (known) return orderStateOf(await this.refresh(known));
    await this.throttle.acquire('query');
    const venueOrder = await this.guard.call(() =>
      this.adapter.fetchOrder({
        instrument: ref.instrument,
        ...(ref.clientOrderId ? { clientOrderId: ref.clientOrderId } : {}),
        ...(ref.venueOrderId ? { venueOrderId: ref.venueOrderId } : {}),
      }),
    );
    return orderStateOfVenue(venueOrder);
  }

  /** Asks the venue for an order's state and applies it. */
  async refresh(record: VenueOrderRecord): Promise<VenueOrderRecord> {
    await this.throttle.acquire('query');
    const venueOrder = await this.guard.call(() =>
      this.adapter.fetchOrder({
        instrument: record.instrument,
        clientOrderId: record.clientOrderId,
        ...(record.venueOrderId ? { venueOrderId: record.venueOrderId } : {}),
      }),
    );
    return (
      (await this.registry.applyVenueOrder(venueOrder, { reconciled: false, known: record }))?.record ??
      record
    );
  }

  private async find(ref: { instrument: string; clientOrderId?: string; venueOrderId?: string }) {
    const record = ref.clientOrderId
      ? await this.registry.get(ref.clientOrderId)
      : ref.venueOrderId
        ? await this.registry.getByVenueOrderId(ref.venueOrderId)
        : undefined;
    if (!record || record.instrument !== ref.instrument) {
      throw new VenueError(
        'NOT_FOUND',
        `no order ${ref.clientOrderId ?? ref.venueOrderId} on ${ref.instrument}`,
        {
          field: ref.clientOrderId ? 'clientOrderId' : 'venueOrderId',
        },
      );
    }
    return record;
  }

  private refuseWhileReconciling(): void {
    if (this.gate.refusesExposure) {
      throw new VenueError(
        'VENUE_UNAVAILABLE',
        `${this.registry.venue}/${this.registry.account} is reconciling; orders that add exposure wait, cancels pass`,
        { retryAfterMs: 1_000 },
      );
    }
  }

  private async send(record: VenueOrderRecord, attempt: number, fresh = false): Promise<VenueOrderRecord> {
    try {
      this.refuseWhileReconciling();
    } catch (error) {
      await this.registry.forget(record.clientOrderId);
      throw error;
    }
    const placed = await this.sendOnce(record, fresh, () =>
      this.adapter.createOrder({
        instrument: record.instrument,
        side: record.side,
        kind: record.kind,
        amount: record.amount,
        ...(record.price !== null ? { price: record.price } : {}),
        timeInForce: record.timeInForce,
        clientOrderId: record.clientOrderId,
      }),
    );
    return placed.status === 'in_flight' ? this.resolve(placed, 'resend', attempt) : placed;
  }

  /**
   * One call that may place an order; returns the record in flight when the answer was ambiguous.
   * `fresh`: the reservation was just made by this call's request and never sent, so its `sent_at` is
   * empty; an ambiguous answer writes it (a resolver without one counts from its own now, i.e. later).
   * A re-sent order has an older `sent_at`, which must move before the send so no window ends early.
   */
  private async sendOnce(
    record: VenueOrderRecord,
    fresh: boolean,
    call: () => ReturnType<VenueAdapter['createOrder']>,
  ): Promise<VenueOrderRecord> {
    try {
      await this.throttle.acquire('order');
    } catch (error) {
      await this.registry.forget(record.clientOrderId);
      throw error;
    }
    if (!fresh || record.sentAt !== null) await this.registry.markSent(record.clientOrderId);
    const sentAt = new Date();
    try {
      const venueOrder = await this.guard.call(call);
      const applied = await this.registry.applyVenueOrder(venueOrder, { reconciled: false, known: record });
      return applied?.record ?? record;
    } catch (error) {
      const code = this.codeOf(error);
      if (error instanceof BreakerOpenError || code === 'RATE_LIMITED') {
        // Refused before the venue acted on it: nothing was placed, a retry may send it again.
        if (code === 'RATE_LIMITED' && error instanceof VenueError) await this.throttle.penalise(error);
        await this.registry.forget(record.clientOrderId);
        throw error;
      }
      if (code !== undefined && DEFINITE_REFUSALS.has(code)) {
        await this.registry.reject(record.clientOrderId, code, (error as Error).message);
        throw error;
      }
      this.logger.warn(
        { clientOrderId: record.clientOrderId, err: error },
        'ambiguous answer to an order: resolving with the venue',
      );
      const inFlight = { ...record, status: 'in_flight' as const, sentAt };
      await this.registry.markAmbiguous(inFlight);
      return inFlight;
    }
  }

  /**
   * Resolves an order in flight by asking the venue by client order id. "Not found" counts only once the
   * venue can no longer accept the original request. Then a new order is sent again under the same id
   * (`resend`; the venue refuses a duplicate of an open order), up to `maxSends` sends, after which it
   * stays in flight for reconciliation; a replacement is recorded as never placed (`reject`).
   */
  private async resolve(
    record: VenueOrderRecord,
    notFound: 'resend' | 'reject',
    attempt = 1,
  ): Promise<VenueOrderRecord> {
    const deadline = (record.sentAt?.getTime() ?? Date.now()) + this.settings.resolveWindowMs;
    let delay = 50;
    for (;;) {
      try {
        return await this.refresh(record);
      } catch (error) {
        const code = this.codeOf(error);
        if (code === 'NOT_FOUND' && Date.now() > deadline) {
          if (notFound === 'reject') {
            const reason = 'the venue never placed it (not found after the resolve window)';
            return (await this.registry.reject(record.clientOrderId, 'NOT_FOUND', reason)) ?? record;
          }
          if (attempt >= this.settings.maxSends) break;
          return this.send(record, attempt + 1);
        }
        if (code !== 'NOT_FOUND' && Date.now() > deadline + this.settings.resolveWindowMs) break;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 1_000);
    }
    throw new VenueError(
      'AMBIGUOUS',
      `order ${record.clientOrderId} is still unresolved on ${this.registry.venue}; reconciliation will settle it`,
    );
  }

  private codeOf(error: unknown): VenueErrorCode | undefined {
    return error instanceof VenueError ? error.code : undefined;
  }
}
