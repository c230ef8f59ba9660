import { SERVICE_FEATURES, isServiceName, type InstanceStatusV1 } from '@tm/contracts';
import { deriveTree, type DerivedLifecycleNode, type LifecycleNode } from '@tm/lifecycle';

/** Platform → Feature → Application → Application-feature, built from the instances' status replies. */
export function fleetTree(statuses: readonly InstanceStatusV1[], platformName: string): DerivedLifecycleNode {
  const features = new Map<string, LifecycleNode[]>();
  for (const status of [...statuses].sort((a, b) =>
    `${a.service}/${a.instance}`.localeCompare(`${b.service}/${b.instance}`),
  )) {
    const feature = isServiceName(status.service) ? SERVICE_FEATURES[status.service] : 'other';
    const applications = features.get(feature) ?? [];
    applications.push({
      level: 'application',
      name: `${status.service}/${status.instance}`,
      state: status.state,
      since: status.since,
      ...(status.reason ? { reason: status.reason } : {}),
      children: status.features.map((f) => ({
        level: 'application-feature' as const,
        name: f.name,
        state: f.state,
        since: f.since,
        ...(f.reason ? { reason: f.reason } : {}),
      })),
    });
    features.set(feature, applications);
  }
  return deriveTree({
    level: 'platform',
    name: platformName,
    state: 'Init',
    children: [...features]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, children]) => ({ level: 'feature', name, children })),
  });
}

/** `12s`, `4m05s`, `2h10m`: how long a node has been in its state. */
export function formatAge(sinceMicros: number | undefined, nowMicros: number): string {
  if (sinceMicros === undefined) return '';
  const seconds = Math.max(0, Math.floor((nowMicros - sinceMicros) / 1_000_000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export function renderTree(root: DerivedLifecycleNode, nowMicros: number): string {
  const lines: string[] = [];
  const walk = (node: DerivedLifecycleNode, depth: number) => {
    const label = `${'  '.repeat(depth)}${node.name}`;
    const reason = node.reason && node.state !== 'Running' ? `  (${node.reason})` : '';
    lines.push(
      `${label.padEnd(44)} ${node.state.padEnd(13)} ${formatAge(node.since, nowMicros).padStart(7)}${reason}`,
    );
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(root, 0);
  return lines.join('\n');
}
