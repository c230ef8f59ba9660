// Recomputes the daily trade summaries of the dirty account-days: each claimed account's fills are folded
// from its first (average cost needs the whole history) and its rows rewritten from the earliest dirty day
// on, since a late fill moves the cost every later day closed against. Then the venue rows of the days and
// venues touched are summed again from the account rows, which is idempotent whoever's slots they came from.
import type pg from 'pg';
import { summarizeAccountDays, type AccountDaySummary, type SummaryFill } from './account-day-summaries.js';
import { claimDirtyBuckets, type SlotSpan } from './dirty-buckets.js';
import { inTransaction } from './in-transaction.js';

/** Two-int advisory keys (first half 'tmda', 'tmdv'): serialise an account's and the venue rows' rewrites. */
const ACCOUNT_SUMMARY_LOCK_NAMESPACE = 0x746d6461;
const VENUE_SUMMARY_LOCK_NAMESPACE = 0x746d6476;

export interface TradeSummaryResult {
  /** Dirty account-days claimed. */
  accountDays: number;
  /** Account rows written. */
  accountSummaries: number;
  /** Venue rows written. */
  venueSummaries: number;
}

export class TradeSummary {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  /** Claims up to `limit` dirty account-days of the owned slots and rewrites their summaries, in one transaction. */
  async run(spans: readonly SlotSpan[], limit: number): Promise<TradeSummaryResult> {
    return inTransaction(this.pool, async (client) => {
      const claimed = await claimDirtyBuckets(client, this.schema, 'account_day', spans, limit);
      if (claimed.length === 0) return { accountDays: 0, accountSummaries: 0, venueSummaries: 0 };
      const earliest = new Map<string, { slot: number; fromDay: string }>();
      for (const { key: account, slot, bucket } of claimed) {
        const day = bucket.toISOString().slice(0, 10);
        const seen = earliest.get(account);
        if (seen === undefined || day < seen.fromDay) earliest.set(account, { slot, fromDay: day });
      }
      const touched = new Map<string, { day: string; venue: string }>();
      let accountSummaries = 0;
      // Accounts in one order in every instance, so their locks can never deadlock.
      for (const [account, { slot, fromDay }] of [...earliest].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      )) {
        // Two instances may hold different days of one account while slots move: the later one waits here,
        // then sees the other's rows, instead of colliding with them.
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
          ACCOUNT_SUMMARY_LOCK_NAMESPACE,
          `${this.schema}/${account}`,
        ]);
        const summaries = summarizeAccountDays(await this.fillsOf(client, account), fromDay);
        for (const { day, venue } of [...(await this.clearAccount(client, account, fromDay)), ...summaries])
          touched.set(`${day}\u0000${venue}`, { day, venue });
        accountSummaries += await this.insertAccountRows(client, slot, summaries);
      }
      const venueSummaries = await this.rewriteVenueRows(client, [...touched.values()]);
      return { accountDays: claimed.length, accountSummaries, venueSummaries };
    });
  }

  private async fillsOf(client: pg.ClientBase, account: string): Promise<SummaryFill[]> {
    const { rows } = await client.query<SummaryFill>(
      `SELECT venue, account, instrument, side, client_order_id AS "clientOrderId", order_price AS "orderPrice",
              price, amount, fee_cost AS "feeCost", fee_currency AS "feeCurrency",
              to_char(ts_event AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
         FROM "${this.schema}".fills
        WHERE account = $1
        ORDER BY ts_event, ts_init, trade_id`,
      [account],
    );
    return rows;
  }

  /** Deletes the account's rows from `fromDay` on; returns the days and venues they were of. */
  private async clearAccount(
    client: pg.ClientBase,
    account: string,
    fromDay: string,
  ): Promise<{ day: string; venue: string }[]> {
    const { rows } = await client.query<{ day: string; venue: string }>(
      `DELETE FROM "${this.schema}".trade_summaries_account_daily
        WHERE account = $1 AND day >= $2::date
        RETURNING day::text AS day, venue`,
      [account, fromDay],
    );
    return rows;
  }

  private async insertAccountRows(
    client: pg.ClientBase,
    slot: number,
    summaries: readonly AccountDaySummary[],
  ): Promise<number> {
    if (summaries.length === 0) return 0;
    const column = <K extends keyof AccountDaySummary>(name: K): AccountDaySummary[K][] =>
      summaries.map((summary) => summary[name]);
    const { rowCount } = await client.query(
      `INSERT INTO "${this.schema}".trade_summaries_account_daily
              (day, venue, account, quote, slot, fills, buy_amount, sell_amount, notional, realized_pnl,
               commission, slippage, wins, losses, updated_at)
       SELECT day, venue, account, quote, $5, fills, buy_amount, sell_amount, notional, realized_pnl,
              commission::jsonb, slippage, wins, losses, now()
         FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $6::integer[], $7::numeric[],
                     $8::numeric[], $9::numeric[], $10::numeric[], $11::text[], $12::numeric[],
                     $13::integer[], $14::integer[])
           AS u(day, venue, account, quote, fills, buy_amount, sell_amount, notional, realized_pnl,
                commission, slippage, wins, losses)`,
      [
        column('day'),
        column('venue'),
        column('account'),
        column('quote'),
        slot,
        column('fills'),
        column('buyAmount'),
        column('sellAmount'),
        column('notional'),
        column('realizedPnl'),
        summaries.map(({ commission }) => JSON.stringify(commission)),
        column('slippage'),
        column('wins'),
        column('losses'),
      ],
    );
    return rowCount ?? 0;
  }

  private async rewriteVenueRows(
    client: pg.ClientBase,
    touched: readonly { day: string; venue: string }[],
  ): Promise<number> {
    if (touched.length === 0) return 0;
    const s = `"${this.schema}"`;
    // Held to commit: the statements after it see every account row another instance committed meanwhile,
    // so the last writer of a venue-day always sums them all.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      VENUE_SUMMARY_LOCK_NAMESPACE,
      this.schema,
    ]);
    const params = [touched.map(({ day }) => day), touched.map(({ venue }) => venue)];
    await client.query(
      `DELETE FROM ${s}.trade_summaries_venue_daily v
        USING unnest($1::date[], $2::text[]) AS t(day, venue)
        WHERE v.day = t.day AND v.venue = t.venue`,
      params,
    );
    const { rowCount } = await client.query(
      `INSERT INTO ${s}.trade_summaries_venue_daily
              (day, venue, quote, accounts, fills, buy_amount, sell_amount, notional, realized_pnl,
               commission, slippage, wins, losses, updated_at)
       SELECT a.day, a.venue, a.quote, count(DISTINCT a.account), sum(a.fills), sum(a.buy_amount),
              sum(a.sell_amount), sum(a.notional), sum(a.realized_pnl),
              (SELECT coalesce(jsonb_object_agg(f.currency, f.total::text), '{}'::jsonb)
                 FROM (SELECT e.key AS currency, sum(e.value::numeric) AS total
                         FROM ${s}.trade_summaries_account_daily b, jsonb_each_text(b.commission) e
                        WHERE b.day = a.day AND b.venue = a.venue AND b.quote = a.quote
                        GROUP BY e.key) f),
              sum(a.slippage), sum(a.wins), sum(a.losses), now()
         FROM ${s}.trade_summaries_account_daily a
         JOIN (SELECT DISTINCT day, venue FROM unnest($1::date[], $2::text[]) AS u(day, venue)) t
           ON a.day = t.day AND a.venue = t.venue
        GROUP BY a.day, a.venue, a.quote`,
      params,
    );
    return rowCount ?? 0;
  }
}
