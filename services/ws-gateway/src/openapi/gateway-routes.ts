// The routes the REST API's own folders do not describe: the host's probes, auth and the poll fallback.
// Their bodies come from the zod schemas the routes validate with where those are exported; the answers
// that are TypeScript interfaces are written here as zod, and gateway-routes.spec.ts holds each equal to
// its interface, so a change on either side fails the typecheck.
import { InstanceStatusV1 } from '@tm/contracts';
import { z } from 'zod';
import { LoginRequest, RefreshRequest } from '../auth/auth.dto.js';
import { ROLES } from '../auth/roles.js';
import { PollRequest } from '../push/push-requests.js';
import { CodedErrorBody, HttpErrorBody } from './api-error.schema.js';
import type { RouteDescription } from './route-description.js';

export const TokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** The access token's lifetime in seconds. */
  expiresIn: z.number().int().positive(),
  role: z.enum(ROLES),
});

export const PollAnswer = z.object({
  epoch: z.string(),
  states: z.array(z.object({ topic: z.string(), value: z.unknown() })),
  events: z.array(z.object({ topic: z.string(), seq: z.number().int(), value: z.unknown() })),
  discontinuities: z.array(
    z.object({ topic: z.string(), lastSeq: z.number().int(), reason: z.enum(['overflow', 'gap']) }),
  ),
});

export const Health = InstanceStatusV1.pick({
  service: true,
  instance: true,
  state: true,
  dependencies: true,
}).extend({ status: z.literal('ok') });

export const Readiness = InstanceStatusV1.pick({ state: true, reason: true, dependencies: true }).extend({
  ready: z.boolean(),
});

const tooManyAttempts = {
  description: 'too many login requests from this address; retry after `Retry-After` seconds',
  schema: CodedErrorBody,
  headers: { 'Retry-After': 'whole seconds until the next attempt is accepted' },
};

export const GATEWAY_ROUTES: readonly RouteDescription[] = [
  {
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    summary: 'Signs in: an access token and a refresh token',
    tag: 'auth',
    access: 'public',
    body: LoginRequest,
    responses: {
      200: { description: 'the token pair (never cached)', schema: TokenPair },
      401: { description: 'unknown user or wrong password (one message for both)', schema: CodedErrorBody },
      429: tooManyAttempts,
    },
  },
  {
    method: 'post',
    path: '/api/auth/refresh',
    operationId: 'refreshTokens',
    summary: 'Spends a refresh token for a new pair (a reused one revokes its whole login)',
    tag: 'auth',
    access: 'public',
    body: RefreshRequest,
    responses: {
      200: { description: 'the new token pair (never cached)', schema: TokenPair },
      401: { description: 'the refresh token is invalid, expired or already spent', schema: CodedErrorBody },
    },
  },
  {
    method: 'post',
    path: '/api/push/poll',
    operationId: 'pollPush',
    summary: 'What the socket would have pushed, for a client polling without it',
    description:
      'Keeps the topics subscribed for TM_PUSH_POLL_LEASE (9 s), so nothing is missed between polls.',
    tag: 'push',
    access: ROLES,
    body: PollRequest,
    responses: {
      200: { description: 'latest states, events after the resume point', schema: PollAnswer },
      403: { description: "a topic's stream is outside the token's role", schema: HttpErrorBody },
    },
  },
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Liveness: the process answers',
    tag: 'probes',
    access: 'public',
    responses: { 200: { description: 'alive', schema: Health } },
  },
  {
    method: 'get',
    path: '/ready',
    operationId: 'getReadiness',
    summary: 'Readiness: the lifecycle is Running',
    tag: 'probes',
    access: 'public',
    responses: {
      200: { description: 'ready', schema: Readiness },
      503: { description: 'not ready (Deploying, Waiting for a dependency, Paused, …)', schema: Readiness },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    tag: 'probes',
    access: 'public',
    responses: {
      200: { description: 'Prometheus text format 0.0.4', schema: z.string(), contentType: 'text/plain' },
    },
  },
];
