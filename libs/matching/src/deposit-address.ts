// Deterministic deposit addresses: a hash of (account, currency, network), shaped like the network's.
import { createHash } from 'node:crypto';

import type { DepositAddress } from './exchange-types.js';

const DEFAULT_NETWORK: Record<string, string> = {
  BTC: 'BTC',
  ETH: 'ETH',
  SOL: 'SOL',
  XRP: 'XRP',
  TRX: 'TRX',
  BNB: 'BSC',
  LTC: 'LTC',
  DOGE: 'DOGE',
  XLM: 'XLM',
};

/** Networks whose deposits need a memo/tag beside the shared address. */
const TAGGED_NETWORKS = new Set(['XRP', 'XLM', 'EOS', 'ATOM']);
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function defaultNetwork(currency: string): string {
  return DEFAULT_NETWORK[currency.toUpperCase()] ?? 'ETH';
}

export function deterministicHex(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

export function depositAddressFor(account: string, currency: string, network?: string): DepositAddress {
  const net = (network ?? defaultNetwork(currency)).toUpperCase();
  const digest = createHash('sha256')
    .update(`${account}\u0000${currency.toUpperCase()}\u0000${net}`)
    .digest();
  const tagged = TAGGED_NETWORKS.has(net);
  // Tagged networks share one exchange address; the tag tells accounts apart.
  const source = tagged ? createHash('sha256').update(`paper-exchange\u0000${net}`).digest() : digest;
  const address = shapeAddress(net, source);
  return tagged ? { address, tag: String(digest.readUInt32BE(0)), network: net } : { address, network: net };
}

function shapeAddress(network: string, bytes: Buffer): string {
  switch (network) {
    case 'BTC':
      return `bc1q${encode(bytes, BECH32, 38)}`;
    case 'LTC':
      return `ltc1q${encode(bytes, BECH32, 38)}`;
    case 'SOL':
      return encode(bytes, BASE58, 44);
    case 'TRX':
      return `T${encode(bytes, BASE58, 33)}`;
    case 'XRP':
      return `r${encode(bytes, BASE58, 33)}`;
    case 'DOGE':
      return `D${encode(bytes, BASE58, 33)}`;
    case 'XLM':
      return `G${encode(bytes, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 55)}`;
    default:
      return `0x${bytes.subarray(0, 20).toString('hex')}`;
  }
}

function encode(bytes: Buffer, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out += alphabet[(((bytes[i % bytes.length] as number) ^ (i * 31)) & 0xff) % alphabet.length];
  }
  return out;
}
