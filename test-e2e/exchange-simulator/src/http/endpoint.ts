import type { SimulatorAccount } from '../simulator-options.js';
import type { RequestParams } from './request-params.js';

/** NONE: public; API_KEY: X-MBX-APIKEY only; SIGNED: key + HMAC signature + timestamp. */
export type Security = 'NONE' | 'API_KEY' | 'SIGNED';

export interface EndpointRequest {
  params: RequestParams;
  /** Present for API_KEY and SIGNED endpoints. */
  account: SimulatorAccount | undefined;
  /** Server time in milliseconds. */
  now: number;
}

/** One REST endpoint: its route, security, weight and handler (returns the JSON body or throws BinanceError). */
export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  security: Security;
  weight: number | ((params: RequestParams) => number);
  /** Counts toward the order rate limit and is what the after-accept faults hit. */
  placesOrder?: boolean;
  handle(request: EndpointRequest): unknown;
}

/** The account of an authenticated request (the router guarantees it for API_KEY/SIGNED). */
export function accountOf(request: EndpointRequest): SimulatorAccount {
  if (request.account === undefined) throw new Error('endpoint needs an authenticated account');
  return request.account;
}
