import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@tm/service-host';
import type { Logger } from '@tm/telemetry';
import type { TokenPairResponse } from './auth.dto.js';
import { AuthError } from './auth.exception.js';
import { PasswordHasher } from './password-hasher.js';
import { RefreshTokenStore } from './refresh-token-store.js';
import { TokenService } from './token.service.js';
import { UserStore, type UserRecord } from './user-store.js';

/** Login and refresh: checks credentials or a refresh token and hands out a new token pair. */
@Injectable()
export class AuthService {
  constructor(
    @Inject(UserStore) private readonly users: UserStore,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(RefreshTokenStore) private readonly refreshTokens: RefreshTokenStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** One answer for an unknown user and a wrong password, so a guesser learns neither. */
  async login(username: string, password: string, address: string): Promise<TokenPairResponse> {
    const user = await this.users.findByUsername(username);
    const matches = user
      ? await this.hasher.verify(password, user.passwordHash)
      : await this.hasher.verifyNobody(password);
    if (!user || !matches) {
      this.logger.info({ username, address }, 'login refused');
      throw new AuthError('INVALID_CREDENTIALS', 'unknown user or wrong password');
    }
    const refresh = await this.tokens.issueRefreshToken(user.id);
    await this.refreshTokens.record({
      jti: refresh.jti,
      familyId: randomUUID(),
      userId: user.id,
      expiresAt: refresh.expiresAt,
    });
    this.logger.info({ username: user.username, role: user.role, address }, 'login');
    return this.pair(user, refresh.token);
  }

  /** Spends the refresh token for a new pair; the role is read again, so a changed role applies now. */
  async refresh(refreshToken: string): Promise<TokenPairResponse> {
    const check = await this.tokens.verifyRefreshToken(refreshToken);
    if (!check.ok) throw new AuthError('INVALID_TOKEN', `refresh token refused: ${check.reason}`);
    const next = await this.tokens.issueRefreshToken(check.userId);
    const outcome = await this.refreshTokens.rotate(check.jti, check.userId, next);
    if (outcome.kind === 'replayed') {
      this.logger.warn(
        { userId: check.userId, familyId: outcome.familyId },
        'a spent refresh token was presented again: its sessions are revoked',
      );
    }
    if (outcome.kind !== 'rotated')
      throw new AuthError('INVALID_TOKEN', 'refresh token refused: already used');
    const user = await this.users.findById(check.userId);
    if (!user) throw new AuthError('INVALID_TOKEN', 'refresh token refused: the user no longer exists');
    return this.pair(user, next.token);
  }

  private async pair(user: UserRecord, refreshToken: string): Promise<TokenPairResponse> {
    const access = await this.tokens.issueAccessToken(user);
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn, role: user.role };
  }
}
