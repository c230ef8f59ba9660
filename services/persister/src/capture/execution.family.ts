import { ExecutionEventV1 } from '@tm/contracts';
import { copyJson, copyNullable, copyText, copyTimestamp } from '../batching/copy-text.js';
import { dayOfMicros, MICROS_PER_DAY, slotInLastToken, type CaptureFamily } from './capture-family.js';

/** Every execution event as sent; a fill also becomes a row of `fills` and marks its account-day for the digest. */
export const executionFamily: CaptureFamily<ExecutionEventV1> = {
  name: 'execution',
  stream: (streams) => streams.EXEC,
  filterSubject: (subjects) => subjects.all.exec(),
  slotOf: slotInLastToken,
  schema: ExecutionEventV1,
  rows(e, slot, sink) {
    const order = 'order' in e ? e.order : null;
    // A reconciliation finding is by its nature found by reconciliation.
    const reconciled = 'reconciled' in e ? e.reconciled : true;
    sink.add(
      'execution_events',
      `${slot}\t${copyText(e.eventId)}\t${e.type}\t${copyText(e.venue)}\t${copyText(e.account)}\t${copyNullable(order?.clientOrderId ?? null)}\t${copyNullable(order?.instrument ?? null)}\t${copyNullable(order?.status ?? null)}\t${reconciled ? 't' : 'f'}\t${copyTimestamp(e.tsEvent)}\t${copyTimestamp(e.tsInit)}\t${copyJson(e)}`,
      dayOfMicros(e.tsInit),
    );
    if (e.type !== 'OrderFilled') return;
    const { order: o, fill } = e;
    sink.add(
      'fills',
      `${slot}\t${copyText(e.eventId)}\t${copyText(e.venue)}\t${copyText(e.account)}\t${copyText(o.instrument)}\t${o.side}\t${copyText(o.clientOrderId)}\t${copyNullable(o.venueOrderId)}\t${copyText(fill.tradeId)}\t${o.kind}\t${copyNullable(o.price)}\t${fill.price}\t${fill.amount}\t${copyNullable(fill.feeCost)}\t${copyNullable(fill.feeCurrency)}\t${copyNullable(fill.liquidity)}\t${e.reconciled ? 't' : 'f'}\t${copyTimestamp(e.tsEvent)}\t${copyTimestamp(e.tsInit)}`,
      dayOfMicros(e.tsEvent),
    );
    const day = e.tsEvent - (e.tsEvent % MICROS_PER_DAY);
    sink.markDirty({ kind: 'account_day', slot, key: e.account, bucketMs: day / 1_000 });
  },
};
