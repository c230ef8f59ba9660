// Routes websocket upgrades by path (the layout pointCcxtAt produces: /stream/ws, /stream/stream,
// /ws-api/ws-api/v3; the unprefixed forms work too) and refuses them during a simulated outage.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocketServer, type WebSocket } from 'ws';

import type { FaultInjector } from '../faults.js';
import type { ListenKeyRegistry } from '../http/endpoints/account.endpoints.js';
import type { MarketStreams } from './market-streams.js';
import type { UserStreams } from './user-stream.js';

type Route =
  | { kind: 'market'; combined: boolean; streams: string[] }
  | { kind: 'api' }
  | { kind: 'listenKey'; account: string };

export class WebsocketGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  constructor(
    server: Server,
    private readonly deps: {
      faults: FaultInjector;
      market: MarketStreams;
      user: UserStreams;
      listenKeys: ListenKeyRegistry;
    },
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
  }

  close(): void {
    this.deps.market.dropAll();
    this.deps.user.dropAll();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.deps.faults.websocketsRefused()) {
      refuse(socket, '503 Service Unavailable');
      return;
    }
    const route = this.route(req.url ?? '/');
    if (route === undefined) {
      refuse(socket, '404 Not Found');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (route.kind === 'api') this.deps.user.attachApi(ws);
      else if (route.kind === 'listenKey') this.deps.user.attachListenKey(ws, route.account);
      else this.deps.market.attach(ws, route.combined, route.streams);
    });
  }

  private route(rawUrl: string): Route | undefined {
    const url = new URL(rawUrl, 'http://simulator');
    // Drop the host label pointCcxtAt adds (stream., ws-api.).
    let path = url.pathname.replace(/\/+$/, '');
    if (path.startsWith('/stream/')) path = path.slice('/stream'.length);
    else if (path.startsWith('/ws-api/ws-api/')) path = path.slice('/ws-api'.length);
    if (path.startsWith('/ws-api/')) return { kind: 'api' };
    if (path === '/stream') {
      const streams = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== '');
      return { kind: 'market', combined: true, streams };
    }
    if (path === '/ws' || path.startsWith('/ws/')) {
      const names = path
        .slice('/ws'.length)
        .split('/')
        .filter((s) => s !== '');
      const listenKey = names.find((name) => this.deps.listenKeys.has(name));
      const account = listenKey === undefined ? undefined : this.deps.listenKeys.account(listenKey);
      if (account !== undefined) return { kind: 'listenKey', account };
      // ccxt appends a connection index (/ws/0): anything that is not a stream name is ignored.
      return { kind: 'market', combined: false, streams: names.filter((name) => name.includes('@')) };
    }
    return undefined;
  }
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
