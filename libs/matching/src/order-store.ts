// Orders by id, by (account, clientOrderId) — open and latest — and open per account; closed orders
// are kept queryable up to a cap, oldest forgotten first.
import { ExchangeRejection } from './exchange-rejection.js';
import type { OrderRef } from './exchange-types.js';
import { type OrderState, isOpen } from './order-state.js';

export class OrderStore {
  private readonly byId = new Map<number, OrderState>();
  private readonly latestByClientId = new Map<string, OrderState>();
  private readonly openByClientId = new Map<string, OrderState>();
  private readonly openByAccount = new Map<string, Map<number, OrderState>>();
  private closedIds: number[] = [];
  private closedHead = 0;

  constructor(private readonly maxClosedOrders: number) {}

  /** Registers a new order; an order born closed (expired FOK) goes straight to the closed list. */
  add(order: OrderState): void {
    this.byId.set(order.orderId, order);
    const key = clientKey(order.account, order.clientOrderId);
    this.latestByClientId.set(key, order);
    if (isOpen(order.status)) {
      this.openByClientId.set(key, order);
      let open = this.openByAccount.get(order.account);
      if (open === undefined) {
        open = new Map();
        this.openByAccount.set(order.account, open);
      }
      open.set(order.orderId, order);
    } else {
      this.retainClosed(order);
    }
  }

  /** Called once when an open order reaches a final status. */
  closed(order: OrderState): void {
    const key = clientKey(order.account, order.clientOrderId);
    if (this.openByClientId.get(key) === order) this.openByClientId.delete(key);
    this.openByAccount.get(order.account)?.delete(order.orderId);
    this.retainClosed(order);
  }

  /** Undoes closed() for an aborted cancel-replace (the order was the last one closed). */
  reopened(order: OrderState): void {
    if (this.closedIds[this.closedIds.length - 1] === order.orderId) this.closedIds.pop();
    this.byId.set(order.orderId, order);
    const key = clientKey(order.account, order.clientOrderId);
    this.openByClientId.set(key, order);
    this.latestByClientId.set(key, order);
    this.openByAccount.get(order.account)?.set(order.orderId, order);
  }

  hasOpenClientId(account: string, clientOrderId: string): boolean {
    return this.openByClientId.has(clientKey(account, clientOrderId));
  }

  openOrders(account: string): Iterable<OrderState> {
    return this.openByAccount.get(account)?.values() ?? [];
  }

  /** The order ref names on this account and instrument (any status); ORDER_NOT_FOUND otherwise. */
  find(account: string, instrument: string, ref: OrderRef, openOnly: boolean): OrderState {
    let order: OrderState | undefined;
    if (ref.orderId !== undefined) {
      order = this.byId.get(ref.orderId);
      if (
        order !== undefined &&
        ref.clientOrderId !== undefined &&
        order.clientOrderId !== ref.clientOrderId
      ) {
        order = undefined;
      }
    } else if (ref.clientOrderId !== undefined) {
      const key = clientKey(account, ref.clientOrderId);
      order = (openOnly ? this.openByClientId.get(key) : undefined) ?? this.latestByClientId.get(key);
    } else {
      throw new ExchangeRejection('INVALID_ORDER', 'orderId or clientOrderId is required', 'orderId');
    }
    if (order === undefined || order.account !== account || order.instrument !== instrument) {
      throw new ExchangeRejection('ORDER_NOT_FOUND', `order ${describe(ref)} not found`);
    }
    if (openOnly && !isOpen(order.status)) {
      throw new ExchangeRejection('ORDER_NOT_FOUND', `order ${describe(ref)} is ${order.status}`);
    }
    return order;
  }

  private retainClosed(order: OrderState): void {
    this.closedIds.push(order.orderId);
    while (this.closedIds.length - this.closedHead > this.maxClosedOrders) {
      const id = this.closedIds[this.closedHead] as number;
      this.closedHead += 1;
      const old = this.byId.get(id);
      if (old === undefined || isOpen(old.status)) continue;
      this.byId.delete(id);
      const key = clientKey(old.account, old.clientOrderId);
      if (this.latestByClientId.get(key) === old) this.latestByClientId.delete(key);
    }
    // Compact the queue now and then instead of shifting on every close.
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closedIds.length) {
      this.closedIds = this.closedIds.slice(this.closedHead);
      this.closedHead = 0;
    }
  }
}

function clientKey(account: string, clientOrderId: string): string {
  return `${account}\u0000${clientOrderId}`;
}

function describe(ref: OrderRef): string {
  return ref.orderId !== undefined ? `#${ref.orderId}` : `'${ref.clientOrderId ?? ''}'`;
}
