// Starts one simulator as a process for benchmarks and soaks:
//   node test-e2e/exchange-simulator/dist/main.js --port 7499 [--unlimited] [--no-market-makers]
// Prints its HTTP URL as the first stdout line, then runs until SIGINT/SIGTERM.
// Account from the environment (defaults in brackets): SIM_API_KEY [sim-key], SIM_API_SECRET
// [sim-secret], SIM_ACCOUNT [main], SIM_BALANCES ['USDT=1000000,BTC=100,ETH=1000'].
import { SPOT_INSTRUMENTS, type InstrumentSpec } from '@tm/matching';

import { BinanceSimulator } from './binance-simulator.js';

const INSTRUMENTS: InstrumentSpec[] = [SPOT_INSTRUMENTS['BTC/USDT'], SPOT_INSTRUMENTS['ETH/USDT']];

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function balancesFrom(text: string): Record<string, string> {
  const balances: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const [currency, amount] = pair.split('=');
    if (currency && amount) balances[currency.trim()] = amount.trim();
  }
  return balances;
}

async function main(): Promise<void> {
  const port = Number(argValue('--port') ?? process.env.SIM_PORT ?? '7499');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${port}`);
  const simulator = await BinanceSimulator.start({
    port,
    instruments: INSTRUMENTS,
    accounts: [
      {
        apiKey: process.env.SIM_API_KEY ?? 'sim-key',
        secret: process.env.SIM_API_SECRET ?? 'sim-secret',
        account: process.env.SIM_ACCOUNT ?? 'main',
        balances: balancesFrom(process.env.SIM_BALANCES ?? 'USDT=1000000,BTC=100,ETH=1000'),
        subAccounts: (process.env.SIM_SUB_ACCOUNTS ?? 'sub1@sim.local').split(',').filter((s) => s !== ''),
      },
    ],
    limits: process.argv.includes('--unlimited') ? false : undefined,
    seed: Number(argValue('--seed') ?? '1'),
    marketMakers: process.argv.includes('--no-market-makers')
      ? []
      : [
          { instrument: 'BTC/USDT', startMid: '60000' },
          { instrument: 'ETH/USDT', startMid: '3000' },
        ],
  });
  process.stdout.write(`${simulator.httpUrl}\n`);
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`exchange-simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
