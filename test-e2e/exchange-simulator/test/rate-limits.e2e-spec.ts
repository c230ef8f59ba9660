import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';

import { binanceClient, startSimulator } from './simulator-fixture.js';

describe('exchange simulator: request weights and order counts', () => {
  it('counts weight in X-MBX-USED-WEIGHT-1M, answers 429 with Retry-After, then bans with 418', async () => {
    const simulator = await startSimulator({
      limits: { requestWeightPerMinute: 60, ordersPer10s: 100, banAfter429s: 2, banMs: 5_000 },
    });
    try {
      const first = await fetch(`${simulator.httpUrl}/api/v3/exchangeInfo`);
      expect(first.status).toBe(200);
      expect(Number(first.headers.get('x-mbx-used-weight-1m'))).toBeGreaterThanOrEqual(20);

      // Hammer depth (weight 5) until banned; a clock-minute rollover only delays the outcome.
      const answers: { status: number; retryAfter: string | null; code: unknown }[] = [];
      for (let i = 0; i < 200 && answers.at(-1)?.status !== 418; i += 1) {
        const response = await fetch(`${simulator.httpUrl}/api/v3/depth?symbol=BTCUSDT`);
        const body = (await response.json()) as { code?: unknown };
        answers.push({
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          code: body.code,
        });
      }
      const statuses = answers.map((a) => a.status);
      const first429 = statuses.indexOf(429);
      const first418 = statuses.indexOf(418);
      expect(first429).toBeGreaterThan(0);
      expect(first418).toBeGreaterThan(first429);
      expect(answers[first429]).toMatchObject({ code: -1003 });
      expect(Number(answers[first429].retryAfter)).toBeGreaterThan(0);
      expect(answers[first418]).toMatchObject({ code: -1003 });
      expect(Number(answers[first418].retryAfter)).toBeGreaterThan(0);
      expect(Number(answers[first418].retryAfter)).toBeLessThanOrEqual(5);

      // Banned: everything is 418 now, and ccxt says DDoSProtection.
      const client = binanceClient(simulator);
      await expect(client.loadMarkets()).rejects.toBeInstanceOf(ccxt.DDoSProtection);
      await client.close();
      const stats = simulator.stats();
      expect(stats.status429).toBeGreaterThanOrEqual(2);
      expect(stats.status418).toBeGreaterThanOrEqual(2);
    } finally {
      await simulator.close();
    }
  });

  it('limits new orders per 10 s with a 429 (-1015) and X-MBX-ORDER-COUNT-10S', async () => {
    const simulator = await startSimulator({
      limits: { requestWeightPerMinute: 100_000, ordersPer10s: 3, banAfter429s: 100, banMs: 5_000 },
    });
    const client = binanceClient(simulator);
    try {
      await client.loadMarkets();
      let refusal: unknown;
      for (let i = 0; i < 10 && refusal === undefined; i += 1) {
        await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 40_000).catch((e: unknown) => {
          refusal = e;
        });
        if (refusal === undefined) {
          const headers = client.last_response_headers as Record<string, string>;
          expect(Number(headers['X-Mbx-Order-Count-10s'])).toBeGreaterThan(0);
        }
      }
      expect(refusal).toBeInstanceOf(ccxt.DDoSProtection);
      expect(String(refusal)).toContain('-1015');
      // Reads are not orders.
      await expect(client.fetchOpenOrders('BTC/USDT')).resolves.toBeDefined();
    } finally {
      await client.close();
      await simulator.close();
    }
  });
});
