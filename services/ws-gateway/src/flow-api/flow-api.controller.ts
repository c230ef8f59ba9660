import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { validatePayload, type FlowStateV1 } from '@tm/contracts';
import { AuthExceptionFilter } from '../auth/auth-exception.filter.js';
import { AuthError } from '../auth/auth.exception.js';
import { BearerAuthGuard, type AuthenticatedRequest } from '../auth/bearer-auth.guard.js';
import type { Principal } from '../auth/token.service.js';
import { ZodParamsPipe } from '../openapi/zod-params.pipe.js';
import { FlowApiExceptionFilter } from './flow-api-exception.filter.js';
import { FlowCancelBody, FlowParams, readStartBody, VerbParams, type FlowVerbList } from './flow-api.dto.js';
import { FlowApiError } from './flow-api.error.js';
import { FlowCommandService } from './flow-command.service.js';

/** The part of Express's response a start sets: its status, from what the engine answered. */
interface StatusResponse {
  status(code: number): unknown;
}

/**
 * `/api/flows`: the verbs the caller may use (with their input JSON Schemas, for an agent's tool list), and a
 * flow started, read or canceled through the flow engine (FLOW_API_ROUTES).
 */
@Controller('api/flows')
@UseFilters(AuthExceptionFilter, FlowApiExceptionFilter)
@UseGuards(BearerAuthGuard)
export class FlowApiController {
  constructor(@Inject(FlowCommandService) private readonly flows: FlowCommandService) {}

  @Get('verbs')
  verbs(@Req() request: AuthenticatedRequest): FlowVerbList {
    return { verbs: this.flows.verbsFor(signedIn(request).role) };
  }

  /** 201 started, 200 found by its idempotency key, 422 refused by a pre-trade check (the body is the flow). */
  @Post(':verb')
  async start(
    @Req() request: AuthenticatedRequest,
    @Param(new ZodParamsPipe(VerbParams)) params: VerbParams,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<FlowStateV1> {
    const principal = signedIn(request);
    this.flows.assertMayUse(principal, params.verb);
    const start = readStartBody(params.verb, body, idempotencyKey);
    if (!start.ok) throw new FlowApiError('INVALID_PAYLOAD', 'invalid request body', start.details);
    const flow = await this.flows.start(principal, params.verb, start.value);
    response.status(
      flow.status === 'refused'
        ? HttpStatus.UNPROCESSABLE_ENTITY
        : flow.replayed
          ? HttpStatus.OK
          : HttpStatus.CREATED,
    );
    return flow;
  }

  @Get(':account/:flowId')
  flow(
    @Req() request: AuthenticatedRequest,
    @Param(new ZodParamsPipe(FlowParams)) params: FlowParams,
  ): Promise<FlowStateV1> {
    return this.flows.get(signedIn(request), params);
  }

  @Post(':account/:flowId/cancel')
  @HttpCode(HttpStatus.OK)
  cancel(
    @Req() request: AuthenticatedRequest,
    @Param(new ZodParamsPipe(FlowParams)) params: FlowParams,
    @Body() body: unknown,
  ): Promise<FlowStateV1> {
    const principal = signedIn(request);
    this.flows.assertMayFollow(principal);
    // No body at all is a cancel without a reason.
    const cancel = validatePayload(FlowCancelBody, body ?? {});
    if (!cancel.ok) throw new FlowApiError('INVALID_PAYLOAD', 'invalid request body', cancel.details);
    return this.flows.cancel(principal, params, cancel.value.reason);
  }
}

/** The principal BearerAuthGuard put on the request. */
function signedIn(request: AuthenticatedRequest): Principal {
  if (request.principal === undefined) throw new AuthError('INVALID_TOKEN', 'not signed in');
  return request.principal;
}
