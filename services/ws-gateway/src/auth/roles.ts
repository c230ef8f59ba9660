// Which stream topics and which flow verbs each role may use, as pure functions, so the socket gateway
// and the REST API answer the same question the same way.
import { FLOW_VERBS, type FlowVerbName } from '@tm/contracts';
import { STREAMS, WILDCARD, type StreamName, type TopicPattern } from '@tm/push';

export const ROLES = ['viewer', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The flow engine's seven verbs, as the contracts name them. */
export { FLOW_VERBS };
export type FlowVerb = FlowVerbName;

const MARKET_STREAMS = [
  'ticker',
  'book',
  'candles',
  'trades',
  'arb',
] as const satisfies readonly StreamName[];

const READABLE_STREAMS: Readonly<Record<Role, ReadonlySet<StreamName>>> = {
  viewer: new Set<StreamName>([...MARKET_STREAMS, 'system']),
  trader: new Set<StreamName>([...MARKET_STREAMS, 'system', 'orders', 'flows']),
  admin: new Set<StreamName>(STREAMS),
};

const USABLE_VERBS: Readonly<Record<Role, ReadonlySet<FlowVerb>>> = {
  viewer: new Set<FlowVerb>(),
  trader: new Set<FlowVerb>(FLOW_VERBS),
  admin: new Set<FlowVerb>(FLOW_VERBS),
};

const ROLE_SET: ReadonlySet<string> = new Set(ROLES);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLE_SET.has(value);
}

/** The streams the role may watch, in STREAMS order. */
export function streamsReadableBy(role: Role): StreamName[] {
  return STREAMS.filter((stream) => READABLE_STREAMS[role].has(stream));
}

export function mayReadStream(role: Role, stream: StreamName): boolean {
  return READABLE_STREAMS[role].has(stream);
}

/** A pattern whose stream is `*` spans every stream, so only a role that may read them all may watch it. */
export function mayWatch(role: Role, pattern: Pick<TopicPattern, 'stream'>): boolean {
  return pattern.stream === WILDCARD
    ? READABLE_STREAMS[role].size === STREAMS.length
    : READABLE_STREAMS[role].has(pattern.stream);
}

export function mayUseVerb(role: Role, verb: FlowVerb): boolean {
  return USABLE_VERBS[role].has(verb);
}

/** The verbs the role may use, in FLOW_VERBS order. */
export function verbsUsableBy(role: Role): FlowVerb[] {
  return FLOW_VERBS.filter((verb) => USABLE_VERBS[role].has(verb));
}

/** Operator control (pause, resume, reconfigure, park) is the admin's alone. */
export function mayControl(role: Role): boolean {
  return role === 'admin';
}
