/** The services of the fleet and the platform feature each belongs to (the lifecycle tree's second level). */
export const SERVICE_FEATURES = {
  'venue-connectors': 'market-data',
  aggregator: 'market-data',
  persister: 'persistence',
  'flow-engine': 'execution',
  'fix-server': 'execution',
  'ws-gateway': 'access',
  observability: 'observability',
} as const;
export type ServiceName = keyof typeof SERVICE_FEATURES;
export type PlatformFeature = (typeof SERVICE_FEATURES)[ServiceName];
export const SERVICE_NAMES = Object.keys(SERVICE_FEATURES) as ServiceName[];

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICE_FEATURES, name);
}
