import type { VenueOpResult } from '@tm/contracts';
import type { FlowVerb, VerbSettings } from '../engine/flow-verb.js';

/** Deposits are polled this many order polls apart: they confirm in minutes, not milliseconds. */
export const DEPOSIT_POLL_FACTOR = 4;
/** Never poll a venue's deposit list more often than this, ms. */
export const MIN_DEPOSIT_POLL_MS = 1_000;

export type TrackedDeposit = VenueOpResult<'fetch-deposits'>['deposits'][number];

export function depositPollMs(settings: Pick<VerbSettings, 'orderPollMs'>): number {
  return Math.max(settings.orderPollMs * DEPOSIT_POLL_FACTOR, MIN_DEPOSIT_POLL_MS);
}

/**
 * deposit-address. Steps: `address` (gets or recovers the address), then when tracking: `track-deadline`
 * (`{ deadline, known }`: when tracking ends and the deposits already confirmed before it began, which do
 * not count), `poll-0`, `poll-1`, … (`{ at, deposits }`: the new deposits to the address at that time), with
 * a sleep between polls. Every decision reads committed results, so a resumed flow keeps its deadline and
 * polls. Result: `{ currency, address, tag, network, deposits, confirmed }` — `deposits` the unconfirmed ones
 * (pending or failed), `confirmed` the first deposit confirmed while tracking, or null.
 */
export const depositAddressVerb: FlowVerb<'deposit-address'> = {
  name: 'deposit-address',
  async run(flow, settings) {
    const { venue, currency, network, trackForMs } = flow.input;
    const address = await flow.step('address', (step) =>
      step.venue(venue, 'fetch-deposit-address', {
        v: 1,
        currency,
        ...(network !== undefined ? { network } : {}),
      }),
    );
    const answer = (deposits: TrackedDeposit[], confirmed: TrackedDeposit | null) => ({
      currency: address.currency,
      address: address.address,
      tag: address.tag,
      network: address.network,
      deposits,
      confirmed,
    });
    if (trackForMs === 0) return answer([], null);

    // Deposits to this address: a venue that does not say where a deposit went lists only the account's own.
    const toAddress = (deposit: TrackedDeposit) =>
      deposit.address === null || deposit.address === address.address;
    const tracking = await flow.step('track-deadline', async (step) => {
      const deadline = step.now() + trackForMs;
      const { deposits } = await step.venue(venue, 'fetch-deposits', { v: 1, currency });
      const known = deposits.filter((d) => toAddress(d) && d.status === 'ok').map((d) => d.depositId);
      return { deadline, known };
    });
    const known = new Set(tracking.known);
    const interval = depositPollMs(settings);
    // Each sleep moves at least one interval, except the last one which stops at the deadline.
    const maxPolls = Math.ceil(trackForMs / interval) + 1;
    let latest: TrackedDeposit[] = [];
    for (let n = 0; n < maxPolls; n++) {
      const poll = await flow.step(`poll-${n}`, async (step) => {
        const { deposits } = await step.venue(venue, 'fetch-deposits', { v: 1, currency });
        return { at: step.now(), deposits: deposits.filter((d) => toAddress(d) && !known.has(d.depositId)) };
      });
      latest = poll.deposits;
      const confirmed = poll.deposits.find((d) => d.status === 'ok');
      if (confirmed) return answer(unconfirmed(latest), confirmed);
      if (poll.at >= tracking.deadline) break;
      await flow.sleepUntil(Math.min(poll.at + interval, tracking.deadline));
    }
    return answer(unconfirmed(latest), null);
  },
};

function unconfirmed(deposits: TrackedDeposit[]): TrackedDeposit[] {
  return deposits.filter((deposit) => deposit.status !== 'ok');
}
