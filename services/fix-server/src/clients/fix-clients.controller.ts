import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { ConfigOf } from '@tm/config';
import { SERVICE_CONFIG } from '@tm/service-host';
import type { z } from 'zod';
import type { fixServerConfigSpec } from '../config/fix-server.config.js';
import { FixServerService } from '../fix-server.service.js';
import { hashClientPassword } from './client-password.js';
import {
  CreateFixClientBody,
  SenderCompIdParam,
  UpdateFixClientBody,
  viewOf,
  type FixClientView,
} from './fix-client.js';

function parsed<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new BadRequestException({
      error: 'INVALID_REQUEST',
      details: result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
    });
  return result.data;
}

/** The admin API of FIX clients: create, list, change (password, enabled, limits, accounts); bearer token. */
@Controller('api/fix/clients')
export class FixClientsController {
  constructor(
    private readonly server: FixServerService,
    @Inject(SERVICE_CONFIG) private readonly config: ConfigOf<typeof fixServerConfigSpec>,
  ) {}

  private authorize(header: string | undefined): void {
    const given = Buffer.from(header?.replace(/^Bearer /, '') ?? '');
    const expected = Buffer.from(this.config.adminToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new UnauthorizedException({
        error: 'UNAUTHORIZED',
        message: 'a valid admin bearer token is required',
      });
  }

  @Get()
  async list(@Headers('authorization') auth?: string): Promise<FixClientView[]> {
    this.authorize(auth);
    return (await this.server.clients.list()).map(viewOf);
  }

  @Get(':senderCompId')
  async get(
    @Param('senderCompId') id: string,
    @Headers('authorization') auth?: string,
  ): Promise<FixClientView> {
    this.authorize(auth);
    const client = await this.server.clients.find(parsed(SenderCompIdParam, id));
    if (!client) throw new NotFoundException({ error: 'NOT_FOUND', message: `no FIX client ${id}` });
    return viewOf(client);
  }

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @Headers('authorization') auth?: string): Promise<FixClientView> {
    this.authorize(auth);
    const input = parsed(CreateFixClientBody, body);
    const client = await this.server.clients.create({
      senderCompId: input.senderCompId,
      passwordHash: await hashClientPassword(input.password),
      enabled: input.enabled,
      maxMessagesPerSecond: input.maxMessagesPerSecond ?? this.config.defaultMessageRate,
      maxSubscriptions: input.maxSubscriptions ?? this.config.defaultMaxSubscriptions,
      allowedAccounts: input.allowedAccounts,
    });
    if (!client)
      throw new ConflictException({
        error: 'EXISTS',
        message: `FIX client ${input.senderCompId} exists already`,
      });
    return viewOf(client);
  }

  /** A disabled client, or one whose password changed, is logged out of this instance at once. */
  @Patch(':senderCompId')
  async update(
    @Param('senderCompId') id: string,
    @Body() body: unknown,
    @Headers('authorization') auth?: string,
  ): Promise<FixClientView> {
    this.authorize(auth);
    const senderCompId = parsed(SenderCompIdParam, id);
    const input = parsed(UpdateFixClientBody, body);
    const { password, ...rest } = input;
    const client = await this.server.clients.update(senderCompId, {
      ...rest,
      ...(password !== undefined && { passwordHash: await hashClientPassword(password) }),
    });
    if (!client)
      throw new NotFoundException({ error: 'NOT_FOUND', message: `no FIX client ${senderCompId}` });
    if (input.enabled === false) this.server.logout(senderCompId, 'client disabled');
    else if (password !== undefined) this.server.logout(senderCompId, 'password changed');
    return viewOf(client);
  }
}
