import { Body, Controller, Header, HttpCode, Inject, Ip, Post, UseFilters, UseGuards } from '@nestjs/common';
import { AuthExceptionFilter } from './auth-exception.filter.js';
import { LoginRequest, RefreshRequest, type TokenPairResponse } from './auth.dto.js';
import { AuthService } from './auth.service.js';
import { LoginRateGuard } from './login-rate.guard.js';
import { ZodBodyPipe } from './zod-body.pipe.js';

/** `POST /api/auth/login` and `POST /api/auth/refresh`; tokens are never cached on the way. */
@Controller('api/auth')
@UseFilters(AuthExceptionFilter)
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @UseGuards(LoginRateGuard)
  login(
    @Body(new ZodBodyPipe(LoginRequest)) body: LoginRequest,
    @Ip() address: string,
  ): Promise<TokenPairResponse> {
    return this.auth.login(body.username, body.password, address);
  }

  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  refresh(@Body(new ZodBodyPipe(RefreshRequest)) body: RefreshRequest): Promise<TokenPairResponse> {
    return this.auth.refresh(body.refreshToken);
  }
}
