import { FLOW_VERB_INPUTS, FLOW_VERBS, FlowStateV1, type FlowVerbName } from '@tm/contracts';
import { mayUseVerb, ROLES, verbsUsableBy, type Role } from '../auth/roles.js';
import { CodedErrorBody } from '../openapi/api-error.schema.js';
import type { RouteDescription, RouteResponse } from '../openapi/route-description.js';
import {
  FlowCancelBody,
  FlowParams,
  flowStartBodyOf,
  FlowVerbList,
  IdempotencyHeaders,
} from './flow-api.dto.js';

/** Reading and canceling flows is for the roles that may start some. */
export const FLOW_READER_ROLES: readonly Role[] = ROLES.filter((role) => verbsUsableBy(role).length > 0);

const unavailable: RouteResponse = {
  description:
    'FLOW_ENGINE_UNAVAILABLE: no flow engine answered in time (TM_FLOW_REQUEST_TIMEOUT) or none listens; ' +
    'a start may still have begun, so retry it with the same idempotency key',
  schema: CodedErrorBody,
};
const forbidden: RouteResponse = {
  description: "FORBIDDEN: the token's role may not use the verb (or, for a flow, any verb)",
  schema: CodedErrorBody,
};
const failed: RouteResponse = {
  description: 'FLOW_ENGINE_FAILED: the flow engine failed or answered something unusable',
  schema: CodedErrorBody,
};

/** `cancel-orders` → `startCancelOrdersFlow`. */
function operationIdOf(verb: FlowVerbName): string {
  const words = verb.split('-').map((word) => word[0].toUpperCase() + word.slice(1));
  return `start${words.join('')}Flow`;
}

/** One route per verb in the document, so each body carries its verb's exact input schema; one handler serves them. */
function startRoute(verb: FlowVerbName): RouteDescription {
  return {
    method: 'post',
    path: `/api/flows/${verb}`,
    operationId: operationIdOf(verb),
    summary: `Starts a ${verb} flow`,
    description:
      `${FLOW_VERB_INPUTS[verb].description ?? verb} ` +
      'The idempotency key goes in the body or the Idempotency-Key header (both given must agree): the same ' +
      'key returns the flow it started (200, `replayed`), with another account, verb or input it is a 409. ' +
      'Progress comes over socket.io (`flow:progress`) to a socket that asks for the flow (`flow:get`).',
    tag: 'flows',
    access: ROLES.filter((role) => mayUseVerb(role, verb)),
    headerParams: IdempotencyHeaders,
    body: flowStartBodyOf(verb),
    responses: {
      403: forbidden,
      201: { description: 'started: the flow as the engine holds it', schema: FlowStateV1 },
      200: {
        description: 'the flow this idempotency key started before (`replayed: true`)',
        schema: FlowStateV1,
      },
      409: { description: 'IDEMPOTENCY_CONFLICT: the key started another request', schema: CodedErrorBody },
      422: {
        description:
          'refused by a pre-trade check before anything reached a venue: the flow, `status: refused`, ' +
          '`error: { code: PRE_TRADE_REFUSED, reason, message, step }`',
        schema: FlowStateV1,
      },
      502: failed,
      503: unavailable,
    },
  };
}

/** /api/flows: the verbs, a start per verb, a flow read and canceled. */
export const FLOW_API_ROUTES: readonly RouteDescription[] = [
  {
    method: 'get',
    path: '/api/flows/verbs',
    operationId: 'listFlowVerbs',
    summary: "The flow verbs the token's role may use, each with its input as JSON Schema",
    description: 'What an agent registers as tools; empty for a role that may use none.',
    tag: 'flows',
    access: ROLES,
    responses: { 200: { description: 'the usable verbs', schema: FlowVerbList } },
  },
  ...FLOW_VERBS.map(startRoute),
  {
    method: 'get',
    path: '/api/flows/{account}/{flowId}',
    operationId: 'getFlow',
    summary: 'A flow as the engine holds it: status, steps, result or error',
    tag: 'flows',
    access: FLOW_READER_ROLES,
    params: FlowParams,
    responses: {
      200: { description: 'the flow', schema: FlowStateV1 },
      403: forbidden,
      404: { description: 'NOT_FOUND: no such flow of the account', schema: CodedErrorBody },
      502: failed,
      503: unavailable,
    },
  },
  {
    method: 'post',
    path: '/api/flows/{account}/{flowId}/cancel',
    operationId: 'cancelFlow',
    summary: 'Asks a running flow to stop: it stops scheduling and cancels its working orders',
    description:
      'The body may be left out. The answer is the flow, usually `canceling`; `FlowCanceled` follows.',
    tag: 'flows',
    access: FLOW_READER_ROLES,
    params: FlowParams,
    body: FlowCancelBody,
    responses: {
      200: { description: 'the flow after the request', schema: FlowStateV1 },
      403: forbidden,
      404: { description: 'NOT_FOUND: no such flow of the account', schema: CodedErrorBody },
      409: { description: 'FLOW_FINISHED: the flow is finished already', schema: CodedErrorBody },
      502: failed,
      503: unavailable,
    },
  },
];
