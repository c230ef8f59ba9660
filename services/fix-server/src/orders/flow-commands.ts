// Flow commands over NATS request/reply on the account's slot, the reply decoded as replyEnvelope(FlowStateV1),
// the way the gateway's flow API sends them; every outcome is a value, never a throw.
import { errors, type NatsConnection } from '@nats-io/transport-node';
import {
  decodePayload,
  encodePayload,
  FlowStateV1,
  replyEnvelope,
  type FlowCommandV1,
  type ReplyErrorV1,
  type Subjects,
} from '@tm/contracts';
import { accountSlot } from '@tm/sharding';

export type FlowReply =
  | { kind: 'state'; flow: FlowStateV1 }
  | { kind: 'error'; error: ReplyErrorV1 }
  /** No answer in time, or nobody listening: a start may still have begun. */
  | { kind: 'silent'; text: string };

const envelope = replyEnvelope(FlowStateV1);

export async function sendFlowCommand(
  nc: NatsConnection,
  subjects: Subjects,
  command: FlowCommandV1,
  timeoutMs: number,
): Promise<FlowReply> {
  const subject = subjects.flowCmd(accountSlot(command.account));
  let data: Uint8Array;
  try {
    data = (await nc.request(subject, encodePayload(command), { timeout: timeoutMs })).data;
  } catch (error) {
    if (error instanceof errors.TimeoutError) return { kind: 'silent', text: `no answer in ${timeoutMs} ms` };
    if (error instanceof errors.RequestError && error.isNoResponders())
      return { kind: 'silent', text: 'no flow engine is listening' };
    return { kind: 'silent', text: error instanceof Error ? error.message : String(error) };
  }
  const decoded = decodePayload(envelope, data);
  if (!decoded.ok) return { kind: 'error', error: { code: 'INTERNAL', message: decoded.reason } };
  return decoded.value.ok
    ? { kind: 'state', flow: decoded.value.result }
    : { kind: 'error', error: decoded.value.error };
}
