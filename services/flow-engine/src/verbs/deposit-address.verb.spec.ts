import { describe, expect, it } from 'vitest';
import type { DepositV1, FlowVerbInput } from '@tm/contracts';
import { depositAddressVerb, depositPollMs } from './deposit-address.verb.js';
import { ScriptedFlow, verbSettings } from './testing/scripted-flow.js';

const START = 1_700_000_000_000;
// orderPollMs 250 → a poll every 1,000 ms.
const SETTINGS = verbSettings({ orderPollMs: 250 });

function deposit(
  depositId: string,
  status: DepositV1['status'],
  address: string | null = 'bc1-ours',
): DepositV1 {
  return { depositId, currency: 'BTC', amount: '0.5', address, txId: `tx-${depositId}`, status, tsEvent: 1 };
}

/** The venue's deposit list as it stands `elapsed` ms after the flow started. */
type DepositHistory = (elapsed: number) => DepositV1[];

function depositFlow(input: Partial<FlowVerbInput<'deposit-address'>>, history: DepositHistory = () => []) {
  const flow: ScriptedFlow<'deposit-address'> = new ScriptedFlow({
    verb: 'deposit-address',
    input: { venue: 'paper', currency: 'BTC', trackForMs: 5_000, ...input },
    now: START,
    script: {
      venue: {
        'fetch-deposit-address': (request) => ({
          currency: request.currency,
          address: 'bc1-ours',
          tag: null,
          network: request.network ?? 'BTC',
        }),
        'fetch-deposits': () => ({ deposits: history(flow.clock - START) }),
      },
    },
  });
  return flow;
}

const polls = (flow: ScriptedFlow<'deposit-address'>) =>
  flow.journal.filter((step) => step.name.startsWith('poll-')).length;

describe('deposit-address', () => {
  it('returns the address alone when asked not to track', async () => {
    const flow = depositFlow({ trackForMs: 0, network: 'LN' });
    expect(await flow.run(depositAddressVerb, SETTINGS)).toEqual({
      status: 'succeeded',
      result: {
        currency: 'BTC',
        address: 'bc1-ours',
        tag: null,
        network: 'LN',
        deposits: [],
        confirmed: null,
      },
    });
    expect(flow.calls.map((call) => call.request)).toEqual([{ v: 1, currency: 'BTC', network: 'LN' }]);
  });

  it('polls until a new deposit to the address is confirmed, ignoring older and foreign ones', async () => {
    const flow = depositFlow({}, (elapsed) => [
      deposit('d-old', 'ok'),
      deposit('d-elsewhere', 'ok', 'bc1-other'),
      ...(elapsed >= 1_000 ? [deposit('d-1', elapsed >= 3_000 ? 'ok' : 'pending')] : []),
      ...(elapsed >= 2_000 ? [deposit('d-2', 'pending', null)] : []),
    ]);
    const outcome = await flow.run(depositAddressVerb, SETTINGS);
    expect(outcome).toMatchObject({
      status: 'succeeded',
      result: {
        address: 'bc1-ours',
        deposits: [deposit('d-2', 'pending', null)],
        confirmed: deposit('d-1', 'ok'),
      },
    });
    expect(flow.sleeps).toEqual([START + 1_000, START + 2_000, START + 3_000]);
    expect(polls(flow)).toBe(4);
  });

  it('ends at the deadline with the deposits still pending', async () => {
    const flow = depositFlow({ trackForMs: 2_500 }, (elapsed) =>
      elapsed >= 1_000 ? [deposit('d-1', 'pending')] : [],
    );
    const outcome = await flow.run(depositAddressVerb, SETTINGS);
    expect(outcome).toMatchObject({ result: { deposits: [deposit('d-1', 'pending')], confirmed: null } });
    // Polls at 0, 1,000, 2,000 and the deadline: ceil(2,500 / 1,000) + 1.
    expect(flow.sleeps).toEqual([START + 1_000, START + 2_000, START + 2_500]);
    expect(polls(flow)).toBe(4);
  });

  it('polls every four order polls, never faster than once a second', () => {
    expect(depositPollMs({ orderPollMs: 500 })).toBe(2_000);
    expect(depositPollMs({ orderPollMs: 100 })).toBe(1_000);
  });

  describe('resumed after a crash', () => {
    const history: DepositHistory = (elapsed) =>
      elapsed >= 1_000 ? [deposit('d-1', elapsed >= 2_000 ? 'ok' : 'pending')] : [];

    it.each(['address', 'track-deadline', 'poll-0', 'poll-1', 'poll-2'])(
      'after %s committed: the same polls and result, committed steps not run again',
      async (step) => {
        const expected = await depositFlow({}, history).run(depositAddressVerb, SETTINGS);
        const flow = depositFlow({}, history);
        expect(await flow.run(depositAddressVerb, SETTINGS, { afterCommit: step })).toEqual({
          status: 'crashed',
          step,
        });
        expect(await flow.run(depositAddressVerb, SETTINGS)).toEqual(expected);
        for (const name of ['address', 'track-deadline', 'poll-0', 'poll-1', 'poll-2'])
          expect(flow.executionsOf(name)).toBe(1);
        expect(flow.calls.filter((call) => call.op === 'fetch-deposits')).toHaveLength(4);
      },
    );

    it('keeps the deadline it committed: a flow resumed after it ends after one more poll', async () => {
      const flow = depositFlow({ trackForMs: 60_000 });
      await flow.run(depositAddressVerb, SETTINGS, { afterCommit: 'track-deadline' });
      flow.clock += 3_600_000;
      expect(await flow.run(depositAddressVerb, SETTINGS)).toMatchObject({ result: { confirmed: null } });
      expect(flow.committed('track-deadline')).toEqual({ deadline: START + 60_000, known: [] });
      expect(polls(flow)).toBe(1);
    });
  });
});
