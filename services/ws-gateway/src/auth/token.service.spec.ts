import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthSettings } from './auth-settings.js';
import { timeSpanSeconds } from './time-span.js';
import { TokenService } from './token.service.js';

const settings: AuthSettings = {
  environment: 'test',
  jwtSecret: 'unit-test-secret-of-at-least-32-characters',
  jwtAccessExpiry: '15m',
  jwtRefreshExpiry: '7d',
  adminUser: 'admin',
  adminPassword: undefined,
  loginMaxAttempts: 5,
  loginWindowMs: 60_000,
};
const alice = { id: '6f1c2a52-5d0e-4c5b-9d7c-1f1e0c2b3a4d', username: 'alice', role: 'trader' as const };

describe('TokenService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('issues an access token that verifies to its principal', async () => {
    const tokens = new TokenService(settings);
    const before = Date.now();
    const issued = await tokens.issueAccessToken(alice);
    expect(issued.expiresIn).toBe(900);
    const check = await tokens.verifyAccessToken(issued.token);
    expect(check).toMatchObject({
      ok: true,
      principal: { userId: alice.id, username: 'alice', role: 'trader' },
    });
    if (!check.ok) return;
    expect(check.principal.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000 + 900_000);
  });

  it('reports an access token past its expiry as expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = new TokenService({ ...settings, jwtAccessExpiry: '1s' });
    const issued = await tokens.issueAccessToken(alice);
    vi.setSystemTime(Date.now() + 2_000);
    expect(await tokens.verifyAccessToken(issued.token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token of the other kind, another secret, a tampered payload or no signature', async () => {
    const tokens = new TokenService(settings);
    const refresh = await tokens.issueRefreshToken(alice.id);
    expect(await tokens.verifyAccessToken(refresh.token)).toEqual({ ok: false, reason: 'invalid' });
    const access = await tokens.issueAccessToken(alice);
    expect(await tokens.verifyRefreshToken(access.token)).toEqual({ ok: false, reason: 'invalid' });

    const other = new TokenService({ ...settings, jwtSecret: 'another-secret-of-at-least-32-characters' });
    expect(await other.verifyAccessToken(access.token)).toEqual({ ok: false, reason: 'invalid' });

    const [header, , signature] = access.token.split('.');
    const promoted = Buffer.from(
      JSON.stringify({ sub: alice.id, name: 'alice', role: 'admin', typ: 'access' }),
    );
    const tampered = `${header}.${promoted.toString('base64url')}.${signature}`;
    expect(await tokens.verifyAccessToken(tampered)).toEqual({ ok: false, reason: 'invalid' });

    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${promoted.toString('base64url')}.`;
    expect(await tokens.verifyAccessToken(unsigned)).toEqual({ ok: false, reason: 'invalid' });
    expect(await tokens.verifyAccessToken('not a token')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('says invalid, not expired, of an expired token it did not sign', async () => {
    const past = Math.floor(Date.now() / 1_000) - 60;
    const forged = await new SignJWT({ name: 'alice', role: 'admin', typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('tm-engine/ws-gateway')
      .setSubject(alice.id)
      .setExpirationTime(past)
      .sign(new TextEncoder().encode('not-the-gateway-secret-at-all-32-chars'));
    expect(await new TokenService(settings).verifyAccessToken(forged)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('puts a fresh jti in every refresh token and tells its expiry', async () => {
    const tokens = new TokenService(settings);
    const first = await tokens.issueRefreshToken(alice.id);
    const second = await tokens.issueRefreshToken(alice.id);
    expect(first.jti).not.toBe(second.jti);
    expect(await tokens.verifyRefreshToken(first.token)).toEqual({
      ok: true,
      userId: alice.id,
      jti: first.jti,
      expiresAt: first.expiresAt.getTime(),
    });
    expect(first.expiresAt.getTime() - Date.now()).toBeGreaterThan(7 * 86_400_000 - 2_000);
  });
});

describe('timeSpanSeconds', () => {
  it('reads the notation the config accepts', () => {
    expect(timeSpanSeconds('15m')).toBe(900);
    expect(timeSpanSeconds('7d')).toBe(604_800);
    expect(timeSpanSeconds('3600 s')).toBe(3_600);
    expect(timeSpanSeconds('2 weeks')).toBe(1_209_600);
    expect(() => timeSpanSeconds('15 fortnights')).toThrow(/time span/);
    expect(() => timeSpanSeconds('0s')).toThrow(/positive/);
  });
});
