// What FIX clients and the LP stand-in of tests and benches share: an initiator's jspurefix config, a socket of our own (so a
// reset from the server is an ended session, never an uncaught error) and a session run over it.
// jspurefix is loaded on first use, so tests that never speak FIX never load it.
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { FixSession, IFixSessionStore, IJsFixConfig, ISessionDescription, SessionId } from 'jspurefix';

export interface FixInitiatorOptions {
  port: number;
  senderCompId: string;
  password: string;
  targetCompId?: string;
  heartBtInt?: number;
  resetSeqNum?: boolean;
  /** The client's sequence numbers: a store per session id, kept as long as the caller keeps it. */
  sessionStore: (id: SessionId) => IFixSessionStore;
}

async function jspurefix() {
  await import('reflect-metadata');
  return import('jspurefix');
}

/** A FIX 4.4 (repo44) initiator's config, Username = SenderCompID, logging nothing. */
export async function fixInitiatorConfig(o: FixInitiatorOptions): Promise<IJsFixConfig> {
  const fix = await jspurefix();
  const description = {
    application: {
      name: `client-${o.senderCompId}`,
      type: 'initiator',
      protocol: 'ascii',
      dictionary: 'repo44',
      resilient: false,
      reconnectSeconds: 0,
      tcp: { host: '127.0.0.1', port: o.port },
    },
    Name: o.senderCompId,
    SenderCompId: o.senderCompId,
    TargetCompID: o.targetCompId ?? 'TM',
    BeginString: 'FIX.4.4',
    HeartBtInt: o.heartBtInt ?? 30,
    ResetSeqNumFlag: o.resetSeqNum ?? false,
    SenderSubID: '',
    TargetSubID: '',
    Username: o.senderCompId,
    Password: o.password,
  } satisfies ISessionDescription;
  const container = new fix.SessionContainer();
  container.registerGlobal(new fix.EmptyLogFactory());
  const config = (await container.makeSystem(description)).resolve<IJsFixConfig>(fix.DITokens.IJsFixConfig);
  config.sessionStoreFactory = { create: o.sessionStore };
  return config;
}

/** A connected socket to 127.0.0.1, over TLS trusting `tlsCa` when given. */
export function openFixSocket(port: number, tlsCa?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tlsCa
      ? tlsConnect({ host: '127.0.0.1', port, ca: [tlsCa], servername: 'localhost' })
      : createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('error', reject);
    socket.once(tlsCa ? 'secureConnect' : 'connect', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      // As jspurefix's own TLS initiator does: its parser takes text chunks from a TLS socket.
      if (tlsCa) socket.setEncoding('utf8');
      resolve(socket);
    });
  });
}

/** Runs `session` over `socket` until it ends (never rejects), then closes the socket. */
export async function runFixSession(
  session: FixSession,
  config: IJsFixConfig,
  socket: Socket,
  id: number,
): Promise<void> {
  const fix = await jspurefix();
  session.on('error', () => undefined);
  const transport = new fix.MsgTransport(id, config, new fix.TcpDuplex(socket));
  // jspurefix drops its parser listeners when a session ends; a socket error after that would be unheard.
  transport.receiver.on('error', () => socket.destroy());
  await session
    .run(transport)
    .catch(() => undefined)
    .finally(() => socket.destroy());
}
