// One load-generator process of gateway.bench.ts: opens its share of socket.io connections to the server
// under test, watches the bench's trade topic on each (gateway) and, while measuring, counts every trade of
// the run per socket (order and losses by trade index) and the publish → receipt delay. Driven over IPC
// (load-protocol.ts), so the load never shares the measured server's event loop or the parent's.
import { io, type Socket } from 'socket.io-client';
import {
  DelayHistogram,
  parseTradeId,
  type ClientCommand,
  type ClientReply,
  type ServerKind,
} from './load-protocol.js';

/** Handshakes in flight at once: enough to connect thousands in seconds without a SYN flood. */
const CONNECTS_IN_FLIGHT = 100;
const CONNECT_TIMEOUT_MS = 30_000;

interface TradeValue {
  tradeId: string;
  tsEvent: number;
}

interface PushBody {
  events?: { topic: string; seq: number; value: TradeValue }[];
  discontinuities?: unknown[];
}

const sockets: Socket[] = [];
let runId: string | undefined;
let lastIndex = new Int32Array(0);
/** Per socket: trades of the run received in order; and whether the socket was open when measuring began. */
let inOrder = new Int32Array(0);
let measured = new Uint8Array(0);
let received = 0;
let outOfOrder = 0;
let messages = 0;
let discontinuities = 0;
let disconnected = 0;
let firstReceiptAt = 0;
let lastReceiptAt = 0;
let delays = new DelayHistogram();

const reply = (message: ClientReply) => process.send?.(message);

/** Counts one trade received by socket `i`; true when it belongs to the measured run. */
function count(i: number, trade: TradeValue, now: number): boolean {
  if (runId === undefined) return false;
  const index = parseTradeId(trade.tradeId, runId);
  if (index === undefined) return false;
  received += 1;
  if (index <= (lastIndex[i] as number)) outOfOrder += 1;
  else {
    lastIndex[i] = index;
    inOrder[i] = (inOrder[i] as number) + 1;
  }
  delays.record(now - trade.tsEvent / 1_000);
  if (firstReceiptAt === 0) firstReceiptAt = now;
  lastReceiptAt = now;
  return true;
}

function listen(kind: ServerKind, socket: Socket, i: number, topic: string): void {
  if (kind === 'gateway')
    socket.on('push', (body: PushBody) => {
      const now = Date.now();
      let counted = false;
      for (const event of body.events ?? [])
        if (event.topic === topic && count(i, event.value, now)) counted = true;
      if (counted) messages += 1;
      if (runId !== undefined) discontinuities += body.discontinuities?.length ?? 0;
    });
  else
    socket.on('trade', (trade: TradeValue) => {
      if (count(i, trade, Date.now())) messages += 1;
    });
  socket.on('disconnect', () => {
    if (runId !== undefined) disconnected += 1;
  });
}

async function open(command: Extract<ClientCommand, { type: 'connect' }>, i: number): Promise<void> {
  const socket = io(command.url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token: command.token },
    reconnection: false,
    // One connection per socket: socket.io-client would otherwise multiplex every socket to a URL over one.
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
  });
  sockets[i] = socket;
  listen(command.kind, socket, i, command.topic);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  if (command.kind === 'gateway') {
    const ack = (await socket
      .timeout(CONNECT_TIMEOUT_MS)
      .emitWithAck('watch', { patterns: [command.pattern] })) as { ok: boolean; watching?: string[] };
    if (!ack.ok || !(ack.watching ?? []).includes(command.topic))
      throw new Error(`watch refused: ${JSON.stringify(ack)}`);
  }
}

async function connectAll(command: Extract<ClientCommand, { type: 'connect' }>): Promise<void> {
  const started = performance.now();
  lastIndex = new Int32Array(command.count).fill(-1);
  inOrder = new Int32Array(command.count);
  measured = new Uint8Array(command.count);
  let next = 0;
  let connected = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < command.count) {
      const i = next++;
      try {
        await open(command, i);
        connected += 1;
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        sockets[i]?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTS_IN_FLIGHT, command.count) }, worker));
  reply({
    type: 'connected',
    connected,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
    elapsedMs: performance.now() - started,
  });
}

function report(published: number): void {
  let missing = 0;
  measured.forEach((open, i) => {
    if (open === 1) missing += Math.max(0, published - (inOrder[i] as number));
  });
  reply({
    type: 'report',
    at: Date.now(),
    sockets: measured.reduce((n, open) => n + open, 0),
    received,
    missing,
    outOfOrder,
    messages,
    discontinuities,
    disconnected,
    firstReceiptAt,
    lastReceiptAt,
    delays: delays.pairs(),
  });
}

process.on('message', (command: ClientCommand) => {
  switch (command.type) {
    case 'connect':
      void connectAll(command);
      break;
    case 'measure':
      runId = command.runId;
      lastIndex.fill(-1);
      inOrder.fill(0);
      sockets.forEach((socket, i) => (measured[i] = socket.connected ? 1 : 0));
      received = outOfOrder = messages = discontinuities = disconnected = firstReceiptAt = lastReceiptAt = 0;
      delays = new DelayHistogram();
      reply({ type: 'measuring' });
      break;
    case 'report':
      report(command.published);
      break;
    case 'close':
      runId = undefined;
      for (const socket of sockets) socket.close();
      reply({ type: 'closed' });
      setTimeout(() => process.exit(0), 100);
      break;
  }
});
// The parent gone (a crash of the bench): leave with it, closing every socket.
process.on('disconnect', () => process.exit(0));
