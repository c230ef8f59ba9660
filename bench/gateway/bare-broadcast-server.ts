// The baseline of gateway.bench.ts: a plain socket.io server that subscribes to the bench's trade topic subject
// and broadcasts every trade to every connected socket as it arrives (`io.emit`: encoded once, no
// batching, no authentication, no per-connection state). Run with one JSON argument (BareServerOptions);
// prints one JSON line once it listens.
import { createServer } from 'node:http';
import { connect } from '@nats-io/transport-node';
import { Server } from 'socket.io';

export interface BareServerOptions {
  natsUrl: string;
  subject: string;
  port: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as BareServerOptions;
const http = createServer();
const server = new Server(http, { path: '/socket.io', cors: { origin: true } });
const nc = await connect({ servers: options.natsUrl, name: 'gateway-bench-bare-server' });
nc.subscribe(options.subject, {
  callback: (error, msg) => {
    // The trade inside the numbered event, as the gateway's clients get it.
    if (error === null) server.emit('trade', msg.json<{ value: unknown }>().value);
  },
});
await nc.flush();
await new Promise<void>((resolve) => http.listen(options.port, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ event: 'listening', port: options.port })}\n`);

process.once('SIGTERM', () => {
  void server.close();
  void nc.close().finally(() => process.exit(0));
});
