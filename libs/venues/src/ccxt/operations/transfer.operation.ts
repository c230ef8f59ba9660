// Transfers between the venue's wallet types go through ccxt's unified transfer(); transfers between
// (sub-)accounts, which transfer() cannot express, through each venue's raw universal-transfer call.
import { randomUUID } from 'node:crypto';
import type { Exchange } from 'ccxt';
import type { TransferRequest } from '../../adapter/operations/transfer.operation.js';
import { VenueError } from '../../adapter/venue-error.js';
import type { TransferResult } from '../../adapter/venue-types.js';
import type { CcxtContext } from '../ccxt-context.js';
import { micros } from '../ccxt-normalise.js';

export async function ccxtTransfer(ctx: CcxtContext, request: TransferRequest): Promise<TransferResult> {
  const ex = ctx.execution;
  const result = (transferId: string, ms?: unknown): TransferResult => ({
    transferId,
    currency: request.currency,
    amount: request.amount,
    from: request.fromAccount,
    to: request.toAccount,
    tsEvent: micros(ms),
  });
  if (isWalletType(ex, request.fromAccount) && isWalletType(ex, request.toAccount)) {
    const entry = await ctx.call('transfer', true, ex, () =>
      ex.transfer(request.currency, Number(request.amount), request.fromAccount, request.toAccount),
    );
    return result(String(entry.id), entry.timestamp);
  }
  const raw = SUB_ACCOUNT_TRANSFERS[ex.id];
  if (raw === undefined)
    throw new VenueError(
      'INVALID_ORDER',
      `${ctx.venue}: no sub-account transfer for ccxt "${ex.id}" (supported: ${Object.keys(SUB_ACCOUNT_TRANSFERS).join(', ')})`,
      { field: 'fromAccount' },
    );
  const own = (account: string): boolean =>
    ctx.config.accountId !== undefined && account === ctx.config.accountId;
  const call = raw(request, own);
  const method = (ex as unknown as Record<string, unknown>)[call.method];
  if (typeof method !== 'function')
    throw new VenueError('INVALID_ORDER', `${ctx.venue}: ccxt "${ex.id}" has no ${call.method}()`);
  const response: unknown = await ctx.call('transfer', true, ex, () =>
    (method as (params: Record<string, unknown>) => Promise<unknown>).call(ex, call.params),
  );
  return result(call.transferId(response));
}

function isWalletType(ex: Exchange, account: string): boolean {
  const byType: unknown = ex.options['accountsByType'];
  return byType !== null && typeof byType === 'object' && Object.hasOwn(byType, account.toLowerCase());
}

interface RawTransfer {
  method: string;
  params: Record<string, unknown>;
  transferId(response: unknown): string;
}

function pick(node: unknown, ...path: (string | number)[]): unknown {
  let value = node;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

const SUB_ACCOUNT_TRANSFERS: Record<
  string,
  (request: TransferRequest, own: (account: string) => boolean) => RawTransfer
> = {
  /** POST sapi/v1/sub-account/universalTransfer: emails name the accounts; no email = the master. */
  binance: (request, own) => ({
    method: 'sapiPostSubAccountUniversalTransfer',
    params: {
      ...(own(request.fromAccount) ? {} : { fromEmail: request.fromAccount }),
      ...(own(request.toAccount) ? {} : { toEmail: request.toAccount }),
      fromAccountType: 'SPOT',
      toAccountType: 'SPOT',
      asset: request.currency,
      amount: request.amount,
    },
    transferId: (response) => String(pick(response, 'tranId') ?? pick(response, 'clientTranId') ?? ''),
  }),
  /** POST v5/asset/transfer/universal-transfer: member UIDs on both sides (untested here). */
  bybit: (request) => {
    const transferId = randomUUID();
    return {
      method: 'privatePostV5AssetTransferUniversalTransfer',
      params: {
        transferId,
        coin: request.currency,
        amount: request.amount,
        fromMemberId: request.fromAccount,
        toMemberId: request.toAccount,
        fromAccountType: 'UNIFIED',
        toAccountType: 'UNIFIED',
      },
      transferId: (response) => String(pick(response, 'result', 'transferId') ?? transferId),
    };
  },
  /** POST api/v5/asset/transfer between trading accounts ('18'); type 1 master→sub, 2 sub→master (untested here). */
  okx: (request, own) => {
    if (!own(request.fromAccount) && !own(request.toAccount))
      throw new VenueError('INVALID_ORDER', 'okx: one side of a sub-account transfer must be this account', {
        field: 'fromAccount',
      });
    const toSub = own(request.fromAccount);
    return {
      method: 'privatePostAssetTransfer',
      params: {
        ccy: request.currency,
        amt: request.amount,
        from: '18',
        to: '18',
        type: toSub ? '1' : '2',
        subAcct: toSub ? request.toAccount : request.fromAccount,
      },
      transferId: (response) => String(pick(response, 'data', 0, 'transId') ?? ''),
    };
  },
};
