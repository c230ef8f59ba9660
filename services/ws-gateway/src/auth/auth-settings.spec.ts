import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../config/ws-gateway.config.js';
import { refusedAuthSettings, type AuthSettings } from './auth-settings.js';

const production: AuthSettings = {
  environment: 'production',
  jwtSecret: 'a'.repeat(32),
  jwtAccessExpiry: '15m',
  jwtRefreshExpiry: '7d',
  adminUser: 'admin',
  adminPassword: 'twelve-chars',
  loginMaxAttempts: 5,
  loginWindowMs: 60_000,
};

describe('refusedAuthSettings', () => {
  it('accepts a production start with a long secret and a long enough admin password', () => {
    expect(refusedAuthSettings(production, true)).toEqual([]);
  });

  it('refuses the development secret and a short secret in production, naming TM_JWT_SECRET', () => {
    expect(refusedAuthSettings({ ...production, jwtSecret: DEVELOPMENT_JWT_SECRET }, false)).toEqual([
      'TM_JWT_SECRET: expected a secret of at least 32 characters in production, got the development default',
    ]);
    expect(refusedAuthSettings({ ...production, jwtSecret: 'a'.repeat(31) }, false)).toEqual([
      'TM_JWT_SECRET: expected a secret of at least 32 characters in production, got 31',
    ]);
  });

  it('refuses a production first admin without a password or with a short one', () => {
    expect(refusedAuthSettings({ ...production, adminPassword: undefined }, true)).toEqual([
      'TM_ADMIN_PASSWORD: expected at least 12 characters in production to create the first admin "admin", got nothing',
    ]);
    expect(refusedAuthSettings({ ...production, adminPassword: 'short' }, true)).toEqual([
      'TM_ADMIN_PASSWORD: expected at least 12 characters in production to create the first admin "admin", got 5',
    ]);
  });

  it('ignores the admin password once users exist', () => {
    expect(refusedAuthSettings({ ...production, adminPassword: undefined }, false)).toEqual([]);
  });

  it('names every problem at once', () => {
    const problems = refusedAuthSettings(
      { ...production, jwtSecret: DEVELOPMENT_JWT_SECRET, adminPassword: undefined },
      true,
    );
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['TM_JWT_SECRET', 'TM_ADMIN_PASSWORD']);
  });

  it('lets development and test start with the defaults and no admin password', () => {
    for (const environment of ['development', 'test'] as const) {
      expect(
        refusedAuthSettings(
          { ...production, environment, jwtSecret: DEVELOPMENT_JWT_SECRET, adminPassword: undefined },
          true,
        ),
      ).toEqual([]);
    }
  });

  it('refuses, anywhere, an admin password longer than bcrypt reads', () => {
    expect(
      refusedAuthSettings({ ...production, environment: 'development', adminPassword: 'é'.repeat(37) }, true),
    ).toEqual(['TM_ADMIN_PASSWORD: expected at most 72 bytes (bcrypt reads no further)']);
  });
});
