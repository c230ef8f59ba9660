import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@tm/service-host';
import type { AuthSettings } from './auth-settings.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { FirstAdminBootstrap } from './first-admin.bootstrap.js';
import { LoginAttemptLimiter } from './login-attempt-limiter.js';
import { LoginRateGuard } from './login-rate.guard.js';
import { PasswordHasher } from './password-hasher.js';
import { RefreshTokenStore } from './refresh-token-store.js';
import { TokenService } from './token.service.js';
import { UserStore } from './user-store.js';

/**
 * Authentication of the gateway: login and refresh over REST, the first admin, and TokenService for
 * the socket handshake. Needs the host's SERVICE_CONFIG (ws-gateway's config), DATA_SOURCE and LOGGER.
 */
@Module({
  controllers: [AuthController],
  providers: [
    PasswordHasher,
    UserStore,
    RefreshTokenStore,
    TokenService,
    AuthService,
    FirstAdminBootstrap,
    LoginRateGuard,
    BearerAuthGuard,
    {
      provide: LoginAttemptLimiter,
      inject: [SERVICE_CONFIG],
      useFactory: (settings: AuthSettings) =>
        new LoginAttemptLimiter({ maxAttempts: settings.loginMaxAttempts, windowMs: settings.loginWindowMs }),
    },
  ],
  exports: [TokenService, BearerAuthGuard],
})
export class AuthModule {}
