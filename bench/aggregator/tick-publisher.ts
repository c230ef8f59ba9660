// The benchmark's feed, in a process of its own so it does not share the measured side's event loop:
// publishes the pre-encoded ticks round-robin over every stream's slot subject, as fast as it can or at a set rate, for a
// fixed time. Run by aggregator.bench.ts with one JSON argument (PublisherOptions); prints one JSON line
// when it starts publishing and one when it is done (PublisherReport).
import { connect } from '@nats-io/transport-node';
import { nowMicros } from '@tm/contracts';
import {
  microsDigits,
  stampTick,
  tickStreams,
  type PublisherOptions,
  type PublisherReport,
  type TickStream,
} from './tick-streams.js';

/** Messages per timestamp refresh: fresh enough (far inside the 5 s stale limit), and cheap. */
const STAMP_EVERY = 1_000;
/** A PING/PONG round trip every this many messages keeps the client's outbound buffer bounded. */
const FLUSH_EVERY = 10_000;

const options = JSON.parse(process.argv[2] ?? '{}') as PublisherOptions;
const streams = tickStreams(options.root);
const nc = await connect({ servers: options.natsUrl, name: 'aggregator-bench-publisher' });
const report = (line: PublisherReport) => process.stdout.write(`${JSON.stringify(line)}\n`);

report({ event: 'started', atMs: Date.now() });
const started = performance.now();
const deadline = started + options.durationMs;
let published = 0;
let next = 0;
while (performance.now() < deadline) {
  const digits = microsDigits(nowMicros());
  for (let i = 0; i < STAMP_EVERY; i++) {
    // The client copies a payload into its outbound buffer every 32 KB, long before a stream comes round again.
    const stream = streams[next] as TickStream;
    stampTick(stream, digits);
    nc.publish(stream.subject, stream.payload);
    next = next + 1 === streams.length ? 0 : next + 1;
  }
  published += STAMP_EVERY;
  if (published % FLUSH_EVERY === 0) await nc.flush();
  if (options.ratePerSec > 0) {
    const aheadMs = started + (published / options.ratePerSec) * 1_000 - performance.now();
    if (aheadMs > 1) await new Promise((resolve) => setTimeout(resolve, aheadMs));
  }
}
await nc.flush();
report({ event: 'done', published, elapsedMs: performance.now() - started });
await nc.close();
