import { SnapshotV1 } from '@tm/contracts';
import { slot as slotOfKey } from '@tm/sharding';
import { copyJson, copyText, copyTimestamp } from '../batching/copy-text.js';
import { dayOfMicros, type CaptureFamily } from './capture-family.js';

/** `<root>.sys.snapshot.<service>.<instance>` carries no slot: the key `<service>/<instance>` gives it. */
function snapshotSlot(subject: string): number | undefined {
  const tokens = subject.split('.');
  if (tokens.length !== 5) return undefined;
  return slotOfKey(`${tokens[3]}/${tokens[4]}`);
}

export const metricSnapshotFamily: CaptureFamily<SnapshotV1> = {
  name: 'snapshot',
  stream: (streams) => streams.SYS,
  filterSubject: (subjects) => subjects.all.sysSnapshot(),
  slotOf: snapshotSlot,
  schema: SnapshotV1,
  rows(s, slot, sink) {
    sink.add(
      'metric_snapshots',
      `${slot}\t${copyText(s.service)}\t${copyText(s.instance)}\t${s.state}\t${copyTimestamp(s.tsInit)}\t${s.cpuPercent}\t${s.memory.rssBytes}\t${s.memory.heapUsedBytes}\t${s.memory.heapTotalBytes}\t${s.eventLoopLagMs.p50}\t${s.eventLoopLagMs.p99}\t${copyJson(s.gauges)}`,
      dayOfMicros(s.tsInit),
    );
  },
};
