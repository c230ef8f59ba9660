import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@tm/service-host';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { AuthSettings } from './auth-settings.js';
import { ROLES, type Role } from './roles.js';
import { timeSpanSeconds } from './time-span.js';

const ALGORITHM = 'HS256';
const ISSUER = 'tm-engine/ws-gateway';

/** Who an access token speaks for, and until when (epoch ms): the socket stops delivering at expiresAt. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  readonly expiresAt: number;
}

export type TokenFailure = { readonly ok: false; readonly reason: 'expired' | 'invalid' };
export type AccessCheck = { readonly ok: true; readonly principal: Principal } | TokenFailure;
export type RefreshCheck =
  | { readonly ok: true; readonly userId: string; readonly jti: string; readonly expiresAt: number }
  | TokenFailure;

export interface TokenSubject {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
}

export interface IssuedAccessToken {
  readonly token: string;
  /** Lifetime in seconds. */
  readonly expiresIn: number;
}

export interface IssuedRefreshToken {
  readonly token: string;
  readonly jti: string;
  readonly expiresAt: Date;
}

// Checked after the signature: a token we signed still has to say what kind it is.
const AccessClaims = z.object({
  sub: z.string().min(1),
  name: z.string().min(1),
  role: z.enum(ROLES),
  typ: z.literal('access'),
  exp: z.number().int(),
});
const RefreshClaims = z.object({
  sub: z.string().min(1),
  typ: z.literal('refresh'),
  jti: z.string().min(1),
  exp: z.number().int(),
});

/**
 * Issues and verifies the gateway's JWTs (HS256, jose): access tokens carry sub, name, role and
 * typ=access; refresh tokens sub, typ=refresh and a jti that RefreshTokenStore spends once.
 * Verification answers a typed principal or why not (expired, invalid); it never throws for a bad token.
 */
@Injectable()
export class TokenService {
  private readonly key: Uint8Array;
  private readonly accessSeconds: number;
  private readonly refreshSeconds: number;

  constructor(@Inject(SERVICE_CONFIG) settings: AuthSettings) {
    this.key = new TextEncoder().encode(settings.jwtSecret);
    this.accessSeconds = timeSpanSeconds(settings.jwtAccessExpiry);
    this.refreshSeconds = timeSpanSeconds(settings.jwtRefreshExpiry);
  }

  async issueAccessToken(subject: TokenSubject): Promise<IssuedAccessToken> {
    const now = epochSeconds();
    const token = await new SignJWT({ name: subject.username, role: subject.role, typ: 'access' })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(subject.id)
      .setIssuedAt(now)
      .setExpirationTime(now + this.accessSeconds)
      .sign(this.key);
    return { token, expiresIn: this.accessSeconds };
  }

  async issueRefreshToken(userId: string): Promise<IssuedRefreshToken> {
    const now = epochSeconds();
    const jti = randomUUID();
    const token = await new SignJWT({ typ: 'refresh' })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(userId)
      .setJti(jti)
      .setIssuedAt(now)
      .setExpirationTime(now + this.refreshSeconds)
      .sign(this.key);
    return { token, jti, expiresAt: new Date((now + this.refreshSeconds) * 1_000) };
  }

  /** What the socket handshake and a token refresh over the socket call. */
  async verifyAccessToken(token: string): Promise<AccessCheck> {
    const verified = await this.verify(token, AccessClaims);
    if (!verified.ok) return verified;
    const claims = verified.claims;
    return {
      ok: true,
      principal: {
        userId: claims.sub,
        username: claims.name,
        role: claims.role,
        expiresAt: claims.exp * 1_000,
      },
    };
  }

  async verifyRefreshToken(token: string): Promise<RefreshCheck> {
    const verified = await this.verify(token, RefreshClaims);
    if (!verified.ok) return verified;
    const claims = verified.claims;
    return { ok: true, userId: claims.sub, jti: claims.jti, expiresAt: claims.exp * 1_000 };
  }

  private async verify<S extends z.ZodType>(
    token: string,
    claims: S,
  ): Promise<{ ok: true; claims: z.infer<S> } | TokenFailure> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], issuer: ISSUER });
      const parsed = claims.safeParse(payload);
      return parsed.success ? { ok: true, claims: parsed.data } : { ok: false, reason: 'invalid' };
    } catch (error) {
      // jose checks the signature before the expiry, so "expired" is only said of a token we signed.
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid' };
      throw error;
    }
  }
}

function epochSeconds(): number {
  return Math.floor(Date.now() / 1_000);
}
