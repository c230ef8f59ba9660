import { randomUUID } from 'node:crypto';
import {
  nowMicros,
  type ExecutionEventV1,
  type FillV1,
  type OrderStateV1,
  type ReconciliationDifferenceFoundV1,
  type VenueErrorCode,
} from '@tm/contracts';

type OrderEventType = 'OrderSubmitted' | 'OrderAccepted' | 'OrderCanceled' | 'OrderExpired';

/**
 * Builds execution events for one venue account. Order and fill events get ids derived from what they
 * describe (`<clientOrderId>:accepted`, `fill:<instrument>:<tradeId>`), so the same fact found twice —
 * by two replicas, or by the live feed and by reconciliation — is one message in the stream.
 */
export class ExecutionEvents {
  constructor(
    readonly venue: string,
    readonly account: string,
  ) {}

  private base(eventId: string, tsEvent: number) {
    return {
      v: 1 as const,
      eventId: `${this.venue}:${this.account}:${eventId}`,
      venue: this.venue,
      account: this.account,
      tsEvent,
      tsInit: nowMicros(),
    };
  }

  order(
    type: OrderEventType,
    order: OrderStateV1,
    reconciled: boolean,
    tsEvent = nowMicros(),
  ): ExecutionEventV1 {
    const suffix = type.replace(/^Order/, '').toLowerCase();
    return { ...this.base(`${order.clientOrderId}:${suffix}`, tsEvent), type, order, reconciled };
  }

  rejected(order: OrderStateV1, code: VenueErrorCode, reason: string): ExecutionEventV1 {
    return {
      ...this.base(`${order.clientOrderId}:rejected`, nowMicros()),
      type: 'OrderRejected',
      order,
      reconciled: false,
      code,
      reason,
    };
  }

  filled(order: OrderStateV1, fill: FillV1, reconciled: boolean, tsEvent: number): ExecutionEventV1 {
    return { ...this.filledWithoutOrder(order.instrument, fill, reconciled, tsEvent), order };
  }

  /** OrderFilled but for the order's state, which the database adds as it applies the fill. */
  filledWithoutOrder(
    instrument: string,
    fill: FillV1,
    reconciled: boolean,
    tsEvent: number,
  ): Omit<Extract<ExecutionEventV1, { type: 'OrderFilled' }>, 'order'> {
    return {
      ...this.base(`fill:${instrument}:${fill.tradeId}`, tsEvent),
      type: 'OrderFilled',
      fill,
      reconciled,
    };
  }

  balances(
    snapshot: Pick<
      Extract<ExecutionEventV1, { type: 'BalancesUpdated' }>,
      'balances' | 'freeMargin' | 'leverage'
    >,
    reconciled: boolean,
    tsEvent: number,
  ): ExecutionEventV1 {
    return {
      ...this.base(`balances:${randomUUID()}`, tsEvent),
      type: 'BalancesUpdated',
      ...snapshot,
      reconciled,
    };
  }

  positions(
    positions: Extract<ExecutionEventV1, { type: 'PositionsUpdated' }>['positions'],
    reconciled: boolean,
    tsEvent: number,
  ): ExecutionEventV1 {
    return {
      ...this.base(`positions:${randomUUID()}`, tsEvent),
      type: 'PositionsUpdated',
      positions,
      reconciled,
    };
  }

  difference(
    runId: string,
    found: Pick<
      ReconciliationDifferenceFoundV1,
      'difference' | 'action' | 'subject' | 'platform' | 'venueSays'
    >,
  ): ReconciliationDifferenceFoundV1 {
    return {
      ...this.base(`recon:${runId}:${randomUUID()}`, nowMicros()),
      type: 'ReconciliationDifferenceFound',
      runId,
      ...found,
    };
  }
}
