import type { Msg } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { PlatformMessageDeserializer } from './platform-message.deserializer.js';

function natsMessage(data: string, reply?: string): Msg {
  return {
    subject: 'tm.sys.ctl.aggregator.a-1',
    data: Buffer.from(data),
    ...(reply ? { reply } : {}),
  } as unknown as Msg;
}

describe('PlatformMessageDeserializer', () => {
  const deserializer = new PlatformMessageDeserializer();

  it('reads plain JSON as the data, the channel as the pattern and the reply subject as the id', () => {
    const message = deserializer.deserialize(natsMessage('{"v":1,"action":"pause"}', '_INBOX.x'), {
      channel: 'tm.sys.ctl.aggregator.a-1',
    });
    expect(message).toMatchObject({
      pattern: 'tm.sys.ctl.aggregator.a-1',
      data: { v: 1, action: 'pause' },
      id: '_INBOX.x',
      subject: 'tm.sys.ctl.aggregator.a-1',
    });
    expect(message.undecodable).toBeUndefined();
  });

  it('has no id for an event and keeps the raw bytes and the reason of a payload that is not JSON', () => {
    const message = deserializer.deserialize(natsMessage('{not json'), {
      channel: 'tm.sys.ctl.aggregator.a-1',
    });
    expect(message.id).toBeUndefined();
    expect(message.data).toBeUndefined();
    expect(Buffer.from(message.raw).toString()).toBe('{not json');
    expect(message.undecodable).toMatch(/not JSON/);
  });
});
