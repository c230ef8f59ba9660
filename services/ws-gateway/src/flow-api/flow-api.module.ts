import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { FlowApiController } from './flow-api.controller.js';
import { FlowCommandService } from './flow-command.service.js';
import { FlowProgressFeed } from './flow-progress.feed.js';
import { FlowGateway } from './flow.gateway.js';

/**
 * The flow API, one for people and agents: REST /api/flows and the socket's flow:* events send commands to the
 * flow engine; the progress of the flows a socket follows comes back as `flow:progress`. Needs the host's
 * SERVICE_CONFIG, NATS_LINK, SUBJECTS, DEAD_LETTERS and LOGGER, and PushGateway's socket handshake.
 */
@Module({
  imports: [AuthModule],
  controllers: [FlowApiController],
  providers: [FlowCommandService, FlowProgressFeed, FlowGateway],
})
export class FlowApiModule {}
