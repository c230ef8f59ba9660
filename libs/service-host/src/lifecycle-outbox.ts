import type { LifecycleTransitionV1 } from '@tm/contracts';
import type { ReliablePublisher } from '@tm/messaging';

/**
 * Where lifecycle transitions go: held in order until NATS is up (a service records Deploying and
 * Waiting before it has a connection), then published through JetStream, retried until acknowledged.
 */
export class LifecycleOutbox {
  private readonly held: Array<[string, LifecycleTransitionV1]> = [];
  private target: ReliablePublisher | undefined;

  publish(subject: string, event: LifecycleTransitionV1): void {
    if (this.target) void this.target.publish(subject, event, event.eventId).catch(() => undefined);
    else this.held.push([subject, event]);
  }

  connect(publisher: ReliablePublisher): void {
    this.target = publisher;
    for (const [subject, event] of this.held.splice(0)) this.publish(subject, event);
  }

  get publisher(): ReliablePublisher | undefined {
    return this.target;
  }
}
