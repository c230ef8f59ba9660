// What the auth module reads from ws-gateway's config, and which of it a production start refuses.
import { PRODUCT_DEFAULTS, type ConfigOf } from '@tm/config';
import { DEVELOPMENT_JWT_SECRET, type wsGatewayConfigSpec } from '../config/ws-gateway.config.js';

export type AuthSettings = Pick<
  ConfigOf<typeof wsGatewayConfigSpec>,
  | 'environment'
  | 'jwtSecret'
  | 'jwtAccessExpiry'
  | 'jwtRefreshExpiry'
  | 'adminUser'
  | 'adminPassword'
  | 'loginMaxAttempts'
  | 'loginWindowMs'
>;

/** A first admin's password must be at least this long in production. */
export const MIN_ADMIN_PASSWORD_LENGTH = 12;
/** bcrypt reads no further than this; a longer password would be cut without a word. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * The problems, worded like ConfigError's, that refuse a start: in production a default or short token
 * secret, and a first admin to create without a password or with a short one; anywhere, a first admin
 * password longer than bcrypt reads. Empty when the start may go on.
 */
export function refusedAuthSettings(settings: AuthSettings, creatingFirstAdmin: boolean): string[] {
  const problems: string[] = [];
  const production = settings.environment === 'production';
  const minSecret = PRODUCT_DEFAULTS.jwtMinSecretLength;
  if (production && settings.jwtSecret === DEVELOPMENT_JWT_SECRET) {
    problems.push(
      `TM_JWT_SECRET: expected a secret of at least ${minSecret} characters in production, got the development default`,
    );
  } else if (production && settings.jwtSecret.length < minSecret) {
    problems.push(
      `TM_JWT_SECRET: expected a secret of at least ${minSecret} characters in production, got ${settings.jwtSecret.length}`,
    );
  }
  if (!creatingFirstAdmin) return problems;
  const password = settings.adminPassword;
  const forAdmin = `to create the first admin "${settings.adminUser}"`;
  if (production && password === undefined) {
    problems.push(
      `TM_ADMIN_PASSWORD: expected at least ${MIN_ADMIN_PASSWORD_LENGTH} characters in production ${forAdmin}, got nothing`,
    );
  } else if (production && password !== undefined && password.length < MIN_ADMIN_PASSWORD_LENGTH) {
    problems.push(
      `TM_ADMIN_PASSWORD: expected at least ${MIN_ADMIN_PASSWORD_LENGTH} characters in production ${forAdmin}, got ${password.length}`,
    );
  }
  if (password !== undefined && Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    problems.push(
      `TM_ADMIN_PASSWORD: expected at most ${MAX_PASSWORD_BYTES} bytes (bcrypt reads no further)`,
    );
  }
  return problems;
}
