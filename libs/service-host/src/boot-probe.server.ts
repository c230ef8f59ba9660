import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TlsFiles } from './tls-files.js';
import type { ApplicationLifecycle } from './application-lifecycle.js';

/**
 * Answers `/health` and `/ready` on the service's port while it is still connecting (Deploying or
 * Waiting for NATS/PostgreSQL), so a probe sees "alive, not ready, waiting for X" instead of a
 * refused connection. Nest takes the port over once the dependencies are there.
 */
export class BootProbeServer {
  private constructor(private readonly server: Server) {}

  static listen(
    lifecycle: ApplicationLifecycle,
    port: number,
    host: string,
    tls?: TlsFiles,
  ): Promise<BootProbeServer> {
    const answer = (request: IncomingMessage, response: ServerResponse) => {
      const status = lifecycle.status();
      const body = {
        state: status.state,
        reason: status.reason ?? lifecycle.firstDependencyDown(),
        dependencies: status.dependencies,
      };
      const path = request.url?.split('?')[0];
      const code = path === '/health' ? 200 : path === '/ready' ? 503 : 404;
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(path === '/health' ? { status: 'ok', ...body } : { ready: false, ...body }),
      );
    };
    // The same scheme as the service once it runs, so a probe configured for HTTPS works from the start.
    const server: Server = tls === undefined ? createServer(answer) : createTlsServer(tls, answer);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(new BootProbeServer(server)));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
