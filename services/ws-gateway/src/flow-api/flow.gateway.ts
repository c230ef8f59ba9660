import { Inject, type OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { ConfigOf } from '@tm/config';
import { validatePayload, type FlowProgressV1, type FlowStateV1 } from '@tm/contracts';
import { LOGGER, SERVICE_CONFIG } from '@tm/service-host';
import type { Logger } from '@tm/telemetry';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { Principal } from '../auth/token.service.js';
import type { wsGatewayConfigSpec } from '../config/ws-gateway.config.js';
import {
  FlowCancelRequestV1,
  FlowGetRequestV1,
  FlowStartRequestV1,
  inputProblems,
  startOf,
  type FlowAck,
} from './flow-api.dto.js';
import { FlowApiError } from './flow-api.error.js';
import { FlowCommandService, isFinished } from './flow-command.service.js';
import { FlowFollowers, flowKey } from './flow-followers.js';
import { FlowProgressFeed } from './flow-progress.feed.js';

type FlowSocketSettings = Pick<ConfigOf<typeof wsGatewayConfigSpec>, 'maxFollowedFlows'>;

/**
 * The flow verbs over socket.io, on the same server and path as the push (Nest shares one socket.io server
 * between gateways of one path; PushGateway's handshake puts the principal on `socket.data`):
 * `flow:start`, `flow:cancel` and `flow:get`, each acknowledged with `{ ok: true, flow }` or `{ ok: false, error }`.
 * A socket that started, canceled or asked for a flow gets its `flow:progress` until it ends.
 */
@WebSocketGateway({ path: '/socket.io', cors: { origin: true } })
export class FlowGateway implements OnModuleInit, OnGatewayInit, OnGatewayDisconnect {
  private server: Server | undefined;
  private readonly followers: FlowFollowers;

  constructor(
    @Inject(FlowCommandService) private readonly flows: FlowCommandService,
    @Inject(FlowProgressFeed) private readonly feed: FlowProgressFeed,
    @Inject(SERVICE_CONFIG) settings: FlowSocketSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.followers = new FlowFollowers(settings.maxFollowedFlows);
  }

  onModuleInit(): void {
    this.feed.onProgress((batch) => this.deliver(batch));
  }

  afterInit(server: Server): void {
    this.server = server;
  }

  handleDisconnect(socket: Socket): void {
    this.followers.forgetSocket(socket.id);
  }

  @SubscribeMessage('flow:start')
  start(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<FlowAck> {
    return this.answer(socket, FlowStartRequestV1, body, (principal, request) => {
      this.flows.assertMayUse(principal, request.verb);
      const problems = inputProblems(request.verb, request.input);
      if (problems.length > 0)
        throw new FlowApiError('INVALID_PAYLOAD', `invalid ${request.verb} input`, problems);
      return this.flows.start(principal, request.verb, startOf(request));
    });
  }

  @SubscribeMessage('flow:cancel')
  cancel(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<FlowAck> {
    return this.answer(socket, FlowCancelRequestV1, body, (principal, request) =>
      this.flows.cancel(principal, request, request.reason),
    );
  }

  @SubscribeMessage('flow:get')
  get(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<FlowAck> {
    return this.answer(socket, FlowGetRequestV1, body, (principal, request) =>
      this.flows.get(principal, request),
    );
  }

  private async answer<S extends z.ZodType>(
    socket: Socket,
    schema: S,
    body: unknown,
    command: (principal: Principal, request: z.infer<S>) => Promise<FlowStateV1>,
  ): Promise<FlowAck> {
    try {
      const principal = socket.data.principal as Principal | undefined;
      if (principal === undefined || principal.expiresAt <= Date.now())
        throw new FlowApiError('TOKEN_EXPIRED', 'the access token expired: send `auth` with a fresh one');
      const request = validatePayload(schema, body);
      if (!request.ok) throw new FlowApiError('INVALID_PAYLOAD', request.reason, request.details);
      const flow = await command(principal, request.value);
      // Followed from the answer on: see FlowProgressFeed for why no progress between the two is missed.
      if (!isFinished(flow) && socket.connected)
        this.followers.follow(socket.id, flowKey(flow.account, flow.flowId));
      return { ok: true, flow };
    } catch (error) {
      if (error instanceof FlowApiError)
        return {
          ok: false,
          error: {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        };
      this.logger.error({ err: error }, 'flow command failed');
      return { ok: false, error: { code: 'INTERNAL', message: 'the gateway failed to handle the request' } };
    }
  }

  private deliver(batch: readonly FlowProgressV1[]): void {
    for (const progress of batch) {
      const key = flowKey(progress.account, progress.flowId);
      const sockets = this.followers.of(key);
      if (sockets === undefined) continue;
      this.server?.to([...sockets]).emit('flow:progress', progress);
      if (isFinished(progress)) this.followers.forgetFlow(key);
    }
  }
}
