import { SERVICE_NAMES, type InstanceStatusV1 } from '@tm/contracts';

export interface HealthVerdict {
  healthy: boolean;
  lines: string[];
}

/**
 * Healthy only when every expected service has at least one instance answering and every instance
 * that answered is Running. An instance that does not answer within the window counts as stale.
 */
export function judgeHealth(
  statuses: readonly InstanceStatusV1[],
  expected: readonly string[] = SERVICE_NAMES,
): HealthVerdict {
  const lines: string[] = [];
  let healthy = true;
  for (const service of expected) {
    const instances = statuses.filter((s) => s.service === service);
    if (instances.length === 0) {
      healthy = false;
      lines.push(`${service.padEnd(18)} MISSING   no instance answered (stale or not started)`);
      continue;
    }
    for (const instance of instances) {
      const ok = instance.state === 'Running';
      healthy &&= ok;
      const why = ok ? '' : `  ${instance.reason ?? ''}`;
      lines.push(
        `${service.padEnd(18)} ${ok ? 'OK       ' : 'NOT OK   '} ${instance.instance} ${instance.state}${why}`,
      );
    }
  }
  lines.push(healthy ? 'fleet healthy' : 'fleet NOT healthy');
  return { healthy, lines };
}
