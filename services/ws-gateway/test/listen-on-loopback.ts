import type { INestApplication } from '@nestjs/common';

/** Serves the app on an ephemeral port of 127.0.0.1 (module init runs here) and gives the port. */
export async function listenOnLoopback(app: INestApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as { address(): unknown }).address();
  if (!address || typeof address !== 'object' || !('port' in address)) throw new Error('not listening');
  return (address as { port: number }).port;
}
