// Wallet (sapi): deposit address, deposit history, sub-account universal transfer, system status.
import { ExchangeRejection } from '@tm/matching';

import { BinanceError, binanceErrors } from '../../binance-error.js';
import { fmt, ms } from '../../binance-format.js';
import type { SimulatorContext } from '../../simulator-context.js';
import { accountOf, type Endpoint } from '../endpoint.js';

// sapi limits are separate from /api on Binance (per-UID and per-IP); the simulator does not count them.
const SAPI_WEIGHT = 0;

export function sapiEndpoints(context: SimulatorContext): Endpoint[] {
  const { exchange } = context;
  return [
    {
      method: 'GET',
      path: '/sapi/v1/system/status',
      security: 'NONE',
      weight: SAPI_WEIGHT,
      handle: () => ({ status: 0, msg: 'normal' }),
    },
    {
      method: 'GET',
      path: '/sapi/v1/capital/deposit/address',
      security: 'SIGNED',
      weight: SAPI_WEIGHT,
      handle: (request) => {
        const coin = request.params.required('coin').toUpperCase();
        const network = request.params.optional('network');
        const address = exchange.depositAddress(accountOf(request).account, coin, network);
        return { coin, address: address.address, tag: address.tag ?? '', url: '' };
      },
    },
    {
      method: 'GET',
      path: '/sapi/v1/capital/deposit/hisrec',
      security: 'SIGNED',
      weight: SAPI_WEIGHT,
      handle: (request) => {
        const { params } = request;
        const coin = params.optional('coin')?.toUpperCase();
        const startTime = params.optionalInt('startTime');
        const endTime = params.optionalInt('endTime');
        const offset = params.optionalInt('offset') ?? 0;
        const limit = Math.min(Math.max(params.optionalInt('limit') ?? 1000, 1), 1000);
        return exchange
          .deposits(accountOf(request).account, coin)
          .filter(
            (d) =>
              (startTime === undefined || ms(d.time) >= startTime) &&
              (endTime === undefined || ms(d.time) <= endTime),
          )
          .sort((a, b) => b.time - a.time)
          .slice(offset, offset + limit)
          .map((d) => ({
            id: d.depositId,
            amount: fmt(d.amount),
            coin: d.currency,
            network: d.network,
            status: 1,
            address: d.address,
            addressTag: '',
            txId: d.txId,
            insertTime: ms(d.time),
            completeTime: ms(d.time),
            transferType: 0,
            confirmTimes: '1/1',
            unlockConfirm: 0,
            walletType: 0,
          }));
      },
    },
    {
      method: 'POST',
      path: '/sapi/v1/sub-account/universalTransfer',
      security: 'SIGNED',
      weight: SAPI_WEIGHT,
      handle: (request) => {
        const { params } = request;
        const master = accountOf(request);
        const allowed = new Set(master.subAccounts ?? []);
        const resolve = (name: 'fromEmail' | 'toEmail'): string => {
          const email = params.optional(name);
          if (email === undefined) return master.account;
          if (!allowed.has(email)) throw binanceErrors.invalidParam(name);
          return email;
        };
        const from = resolve('fromEmail');
        const to = resolve('toEmail');
        for (const name of ['fromAccountType', 'toAccountType']) {
          const type = params.required(name).toUpperCase();
          if (type !== 'SPOT')
            throw new BinanceError(-1130, `Data sent for parameter '${name}' is not valid.`);
        }
        const asset = params.required('asset').toUpperCase();
        const amount = params.requiredDecimal('amount');
        if (from === to) throw new BinanceError(-1130, "Data sent for parameter 'toEmail' is not valid.");
        try {
          const transfer = exchange.transfer(from, to, asset, amount);
          context.balanceMoved(from, asset, `-${amount}`);
          context.balanceMoved(to, asset, amount);
          const clientTranId = params.optional('clientTranId');
          return clientTranId === undefined
            ? { tranId: Number(transfer.transferId.replace(/\D/g, '')) || context.nextId() }
            : { tranId: Number(transfer.transferId.replace(/\D/g, '')) || context.nextId(), clientTranId };
        } catch (error) {
          if (error instanceof ExchangeRejection && error.code === 'INSUFFICIENT_FUNDS')
            throw binanceErrors.transferInsufficient();
          if (error instanceof ExchangeRejection) throw binanceErrors.invalidParam('amount');
          throw error;
        }
      },
    },
  ];
}
