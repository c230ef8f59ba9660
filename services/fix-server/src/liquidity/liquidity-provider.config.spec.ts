import { describe, expect, it } from 'vitest';
import {
  LiquidityProviderConfig,
  LiquidityProviderList,
  liquiditySourceOf,
} from './liquidity-provider.config.js';

const minimal = {
  name: 'lp1',
  host: 'fix.lp1.example',
  port: 9878,
  senderCompId: 'TM',
  targetCompId: 'LP1',
  instruments: ['BTC/USDT'],
};

describe('LiquidityProviderConfig', () => {
  it('fills the defaults', () => {
    expect(LiquidityProviderConfig.parse(minimal)).toEqual({
      ...minimal,
      heartBtInt: 30,
      resetSeqNumOnLogon: true,
      depth: 10,
    });
  });

  it('accepts TLS, credentials and overrides', () => {
    const lp = LiquidityProviderConfig.parse({
      ...minimal,
      tls: { ca: '/etc/tm/lp1-ca.pem', servername: 'fix.lp1.example' },
      username: 'tm',
      password: 'secret',
      heartBtInt: 10,
      resetSeqNumOnLogon: false,
      depth: 0,
    });
    expect(lp).toMatchObject({ tls: { ca: '/etc/tm/lp1-ca.pem' }, heartBtInt: 10, depth: 0 });
  });

  it.each([
    ['a name that is not id-safe', { name: 'LP 1' }],
    ['a non-unified symbol', { instruments: ['BTCUSDT'] }],
    ['no instruments', { instruments: [] }],
    ['a port out of range', { port: 70_000 }],
    ['a bad CompID', { targetCompId: 'LP 1' }],
  ])('refuses %s', (_, patch) => {
    expect(LiquidityProviderConfig.safeParse({ ...minimal, ...patch }).success).toBe(false);
  });

  it('refuses two LPs of the same name', () => {
    expect(LiquidityProviderList.safeParse([minimal, { ...minimal, host: 'other' }]).success).toBe(false);
    expect(LiquidityProviderList.parse([minimal, { ...minimal, name: 'lp2' }])).toHaveLength(2);
  });

  it('names the source fix:<name>', () => {
    expect(liquiditySourceOf('lp1')).toBe('fix:lp1');
  });
});
