import type { Gauge } from 'prom-client';
import type { MetricsRegistry } from '@tm/telemetry';

/** What one connection holds for its client right now. */
export interface ConnectionHold {
  /** Bytes waiting in its push window (capped by TM_PUSH_MAX_PENDING_BYTES). */
  windowBytes: number;
  /** Bytes handed to its websocket and not yet written to the kernel. */
  socketBytes: number;
}

/**
 * The push's memory as the gateway accounts it (/metrics and the 60 s snapshot): connections, bytes held
 * in windows and in sockets (total and the largest single connection), and event topics cut by an overflow.
 */
export class PushMetrics {
  overflows = 0;
  private readonly connections: Gauge;
  private readonly held: Gauge;
  private readonly cut: Gauge;
  private timer: NodeJS.Timeout | undefined;

  constructor(registry: MetricsRegistry) {
    this.connections = registry.gauge('tm_ws_connections', 'Open socket.io connections');
    this.held = registry.gauge(
      'tm_ws_held_bytes',
      'Bytes held for clients: total, and of the largest connection',
      ['where', 'of'],
    );
    this.cut = registry.gauge(
      'tm_ws_overflows',
      'Event topics cut for a client that fell behind, since start',
    );
  }

  start(connections: () => Iterable<ConnectionHold>, everyMs = 1_000): void {
    const refresh = () => {
      let count = 0;
      let windowTotal = 0;
      let windowMax = 0;
      let socketTotal = 0;
      let socketMax = 0;
      for (const hold of connections()) {
        count += 1;
        windowTotal += hold.windowBytes;
        socketTotal += hold.socketBytes;
        windowMax = Math.max(windowMax, hold.windowBytes);
        socketMax = Math.max(socketMax, hold.socketBytes);
      }
      this.connections.set(count);
      this.held.set({ where: 'window', of: 'all' }, windowTotal);
      this.held.set({ where: 'window', of: 'largest' }, windowMax);
      this.held.set({ where: 'socket', of: 'all' }, socketTotal);
      this.held.set({ where: 'socket', of: 'largest' }, socketMax);
      this.cut.set(this.overflows);
    };
    refresh();
    this.timer = setInterval(refresh, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
