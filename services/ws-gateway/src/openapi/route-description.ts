// One REST route as data: the controller validates with these zod schemas and the OpenAPI document is
// generated from the same ones, so what is documented is what is enforced.
import type { z } from 'zod';
import type { Role } from '../auth/roles.js';

export type HttpMethod = 'get' | 'post';

export interface RouteResponse {
  description: string;
  /** The body's schema; absent for an answer without a JSON body. */
  schema?: z.ZodType;
  /** `application/json` unless said otherwise. */
  contentType?: string;
  /** Response headers worth naming (`content-disposition`, `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
}

export interface RouteDescription {
  method: HttpMethod;
  /** The path as the client writes it, from the root: `/api/market/snapshot`, `/api/flows/{account}/{flowId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** `public`: no token; otherwise the roles a bearer token must carry (401 without one, 403 outside them). */
  access: 'public' | readonly Role[];
  /** Every field a path parameter, written `{name}` in `path`; the pipe and the document both read it. */
  params?: z.ZodObject;
  /** Every field a query parameter; the pipe and the document both read it. */
  query?: z.ZodObject;
  /** Request headers the route reads, each field one (`Idempotency-Key`). */
  headerParams?: z.ZodObject;
  body?: z.ZodType;
  /** Success and route-specific failures; 400/401/403 are added from `params`, `query`, `body` and `access`. */
  responses: Readonly<Record<number, RouteResponse>>;
}
