import { Inject, Injectable } from '@nestjs/common';
import type { ConfigOf } from '@tm/config';
import {
  FINISHED_FLOW_STATUSES,
  flowVerbJsonSchemas,
  FlowStateV1,
  type FlowCancelCommandV1,
  type FlowCommandV1,
  type FlowGetCommandV1,
  type FlowRequesterV1,
  type FlowStartCommandV1,
  type Subjects,
} from '@tm/contracts';
import {
  MessagingError,
  NoRespondersError,
  ReplyError,
  RequestClient,
  RequestTimeoutError,
  type NatsLink,
} from '@tm/messaging';
import { NATS_LINK, SERVICE_CONFIG, SUBJECTS } from '@tm/service-host';
import { accountSlot } from '@tm/sharding';
import { mayUseVerb, verbsUsableBy, type FlowVerb, type Role } from '../auth/roles.js';
import type { Principal } from '../auth/token.service.js';
import type { wsGatewayConfigSpec } from '../config/ws-gateway.config.js';
import { inputProblems, type FlowStart, type FlowVerbList } from './flow-api.dto.js';
import { FlowApiError } from './flow-api.error.js';

type FlowApiSettings = Pick<ConfigOf<typeof wsGatewayConfigSpec>, 'flowRequestTimeoutMs'>;

/** Which flow a cancel or get is about. */
export interface FlowRef {
  account: string;
  flowId: string;
}

/** True once the flow can change no more: its progress ends there. */
export function isFinished(flow: Pick<FlowStateV1, 'status'>): boolean {
  return FINISHED_FLOW_STATUSES.includes(flow.status);
}

/**
 * The flow API behind REST and the socket alike: the role checks, and the commands to the flow engine on the
 * account's slot (`tm.flow.cmd.<slot of acct:<account>>`, request/reply), their refusals as FlowApiError.
 */
@Injectable()
export class FlowCommandService {
  private readonly requests: RequestClient;
  /** Built once: the JSON Schemas of the verbs do not change while the process runs. */
  private readonly verbSchemas = flowVerbJsonSchemas();

  constructor(
    @Inject(NATS_LINK) link: NatsLink,
    @Inject(SUBJECTS) private readonly subjects: Subjects,
    @Inject(SERVICE_CONFIG) private readonly settings: FlowApiSettings,
  ) {
    this.requests = new RequestClient(link);
  }

  /** The verbs the role may use, each with its description and input JSON Schema. */
  verbsFor(role: Role): FlowVerbList['verbs'] {
    return this.verbSchemas
      .filter(({ verb }) => mayUseVerb(role, verb))
      .map(({ verb, description, inputSchema }) => ({
        verb,
        description,
        inputSchema: inputSchema as Record<string, unknown>,
      }));
  }

  assertMayUse(principal: Principal, verb: FlowVerb): void {
    if (!mayUseVerb(principal.role, verb))
      throw new FlowApiError('FORBIDDEN', `role ${principal.role} may not use the verb ${verb}`);
  }

  /** Reading and canceling flows is for a role that may start some. */
  assertMayFollow(principal: Principal): void {
    if (verbsUsableBy(principal.role).length === 0)
      throw new FlowApiError('FORBIDDEN', `role ${principal.role} may not read or cancel flows`);
  }

  /** Starts a flow (or finds the one its key started). The input is checked here too, before NATS. */
  start(principal: Principal, verb: FlowVerb, start: FlowStart): Promise<FlowStateV1> {
    this.assertMayUse(principal, verb);
    const problems = inputProblems(verb, start.input);
    if (problems.length > 0) throw new FlowApiError('INVALID_PAYLOAD', `invalid ${verb} input`, problems);
    const command: FlowStartCommandV1 = {
      v: 1,
      type: 'start',
      idempotencyKey: start.idempotencyKey,
      account: start.account,
      verb,
      input: start.input,
      requester: requesterOf(principal),
      ...(start.correlationId === undefined ? {} : { correlationId: start.correlationId }),
    };
    return this.send(command, `start ${verb}`);
  }

  cancel(principal: Principal, flow: FlowRef, reason?: string): Promise<FlowStateV1> {
    this.assertMayFollow(principal);
    const command: FlowCancelCommandV1 = {
      v: 1,
      type: 'cancel',
      account: flow.account,
      flowId: flow.flowId,
      requester: requesterOf(principal),
      ...(reason === undefined ? {} : { reason }),
    };
    return this.send(command, `cancel ${flow.flowId}`);
  }

  get(principal: Principal, flow: FlowRef): Promise<FlowStateV1> {
    this.assertMayFollow(principal);
    const command: FlowGetCommandV1 = { v: 1, type: 'get', account: flow.account, flowId: flow.flowId };
    return this.send(command, `get ${flow.flowId}`);
  }

  private async send(command: FlowCommandV1, what: string): Promise<FlowStateV1> {
    const subject = this.subjects.flowCmd(accountSlot(command.account));
    try {
      return await this.requests.request(subject, command, FlowStateV1, {
        timeoutMs: this.settings.flowRequestTimeoutMs,
      });
    } catch (error) {
      throw refusalOf(error, what, command.type === 'start');
    }
  }
}

/** People sign in as users; the gateway has no API keys, so an agent is a user too. */
function requesterOf(principal: Principal): FlowRequesterV1 {
  return { kind: 'user', id: principal.userId };
}

/** The flow engine's refusal (or silence) as the gateway answers it. */
export function refusalOf(error: unknown, what: string, isStart: boolean): unknown {
  if (error instanceof ReplyError) {
    switch (error.code) {
      case 'INVALID_PAYLOAD':
        return new FlowApiError('INVALID_PAYLOAD', error.message, error.details ?? []);
      case 'IDEMPOTENCY_CONFLICT':
      case 'NOT_FOUND':
      case 'FLOW_FINISHED':
        return new FlowApiError(error.code, error.message);
      case 'UNAVAILABLE':
        return new FlowApiError(
          'FLOW_ENGINE_UNAVAILABLE',
          `the flow engine could not ${what}: ${error.message}`,
        );
    }
  }
  // Unanswered, a start may still have begun: the same key finds it without starting another.
  if (error instanceof NoRespondersError || error instanceof RequestTimeoutError) {
    const retry = isStart ? '; try again with the same idempotency key' : '; try again shortly';
    return new FlowApiError(
      'FLOW_ENGINE_UNAVAILABLE',
      `no flow engine answered to ${what}: ${error.message}${retry}`,
    );
  }
  // INTERNAL, a venue code the engine should not pass on, or a reply that is not a FlowStateV1.
  if (error instanceof MessagingError)
    return new FlowApiError(
      'FLOW_ENGINE_FAILED',
      `the flow engine failed to ${what}: ${error.code}: ${error.message}`,
    );
  return error;
}
