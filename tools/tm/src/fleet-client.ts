import { userInfo } from 'node:os';
import { loadConfig, type ConfigOf } from '@tm/config';
import {
  ControlCommandV1,
  createSubjects,
  InstanceStatusV1,
  type ControlAction,
  type Subjects,
} from '@tm/contracts';
import { MessagingError, NatsLink, RequestClient } from '@tm/messaging';
import { tmConfigSpec } from './config/tm.config.js';
import { TmCliError } from './tm-cli.error.js';

/** What one instance answered to a control action. */
export type ControlOutcome =
  | { target: string; ok: true; status: InstanceStatusV1 }
  | { target: string; ok: false; code: string; message: string };

/** The fleet as `tm` sees it: one NATS connection, status gathering and control requests. */
export class FleetClient {
  private constructor(
    private readonly link: NatsLink,
    private readonly requests: RequestClient,
    readonly subjects: Subjects,
    private readonly config: ConfigOf<typeof tmConfigSpec>,
  ) {}

  static async connect(source?: Readonly<Record<string, string | undefined>>): Promise<FleetClient> {
    const config = loadConfig(tmConfigSpec, source);
    const link = await connectCliLink(config, 'tm-cli');
    return new FleetClient(link, new RequestClient(link), createSubjects(config.subjectRoot), config);
  }

  /** Every instance's status: a scatter-gather over `tm.sys.status`. */
  statuses(): Promise<InstanceStatusV1[]> {
    return this.requests.gather(this.subjects.sysStatus(), { v: 1 }, InstanceStatusV1, {
      windowMs: this.config.gatherWindowMs,
    });
  }

  /**
   * Sends a control action to one instance, or to each instance of the service that answers status,
   * one request each, so a refusal is reported per instance with its reason.
   */
  async control(
    service: string,
    instance: string | undefined,
    action: ControlAction,
  ): Promise<ControlOutcome[]> {
    const command: ControlCommandV1 = { v: 1, action, requestedBy: `tm@${userInfo().username}` };
    const instances = instance
      ? [instance]
      : (await this.statuses()).filter((s) => s.service === service).map((s) => s.instance);
    return Promise.all(
      instances.map(async (name): Promise<ControlOutcome> => {
        const target = `${service}/${name}`;
        try {
          const status = await this.requests.request(
            this.subjects.sysCtl(service, name),
            command,
            InstanceStatusV1,
            {
              timeoutMs: 5_000,
            },
          );
          return { target, ok: true, status };
        } catch (error) {
          if (error instanceof MessagingError)
            return { target, ok: false, code: error.code, message: error.message };
          throw error;
        }
      }),
    );
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

/** Connects to NATS for a `tm` command; NATS retries forever, so an unreachable server is reported after the timeout. */
export async function connectCliLink(config: ConfigOf<typeof tmConfigSpec>, name: string): Promise<NatsLink> {
  const connecting = NatsLink.connect({
    servers: config.natsServers,
    name,
    pingIntervalMs: config.natsPingIntervalMs,
    maxPingOut: config.natsMaxPingOut,
    reconnectWaitMs: config.natsReconnectWaitMs,
    reconnectJitterMs: config.natsReconnectJitterMs,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TmCliError(
            'UNREACHABLE',
            `NATS is not reachable at ${config.natsServers.join(',')} (set TM_NATS_URL)`,
          ),
        ),
      config.connectTimeoutMs,
    );
  });
  try {
    return await Promise.race([connecting, timeout]);
  } catch (error) {
    // A connect still retrying in the background must not keep the process alive.
    void connecting.then((link) => link.close()).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
