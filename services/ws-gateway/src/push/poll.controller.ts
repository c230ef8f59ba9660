import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  HttpCode,
  Post,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { parseTopic, PushError } from '@tm/push';
import { AuthExceptionFilter } from '../auth/auth-exception.filter.js';
import { BearerAuthGuard, type AuthenticatedRequest } from '../auth/bearer-auth.guard.js';
import { mayReadStream } from '../auth/roles.js';
import { ZodBodyPipe } from '../auth/zod-body.pipe.js';
import { PollRequest } from './push-requests.js';
import { PushGateway, type PollAnswer } from './push.gateway.js';

/** `POST /api/push/poll`: what the socket would have pushed, for a client polling every 3 s without it. */
@Controller('api/push')
@UseFilters(AuthExceptionFilter)
@UseGuards(BearerAuthGuard)
export class PollController {
  constructor(private readonly gateway: PushGateway) {}

  @Post('poll')
  @HttpCode(200)
  poll(
    @Req() request: AuthenticatedRequest,
    @Body(new ZodBodyPipe(PollRequest)) body: PollRequest,
  ): Promise<PollAnswer> {
    const topics = body.topics.map((text, i) => {
      try {
        return parseTopic(text);
      } catch (error) {
        if (!(error instanceof PushError)) throw error;
        throw new BadRequestException({
          statusCode: 400,
          message: error.message,
          details: [`topics.${i}: ${error.message}`],
        });
      }
    });
    const role = request.principal?.role;
    const refused = topics.find((topic) => role === undefined || !mayReadStream(role, topic.stream));
    if (refused !== undefined) throw new ForbiddenException(`role ${role} may not read ${refused.stream}`);
    return this.gateway.poll(topics, body.resume);
  }
}
