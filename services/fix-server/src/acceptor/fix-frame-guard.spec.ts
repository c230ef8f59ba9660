import { describe, expect, it } from 'vitest';
import { FixFrameGuard, type GarbledReason } from './fix-frame-guard.js';

/** A FIX message with a correct BodyLength and CheckSum. */
function fixMessage(body: string): string {
  const soh = '\x01';
  const fields = body.split('|').join(soh) + soh;
  const head = `8=FIX.4.4${soh}9=${Buffer.byteLength(fields, 'latin1')}${soh}`;
  let sum = 0;
  for (const byte of Buffer.from(head + fields, 'latin1')) sum += byte;
  return `${head}${fields}10=${String(sum % 256).padStart(3, '0')}${soh}`;
}

function run(chunks: Array<string | Buffer>, maxMessageBytes = 4_096) {
  const garbled: GarbledReason[] = [];
  const out: string[] = [];
  const guard = new FixFrameGuard({ maxMessageBytes, onGarbled: (reason) => garbled.push(reason) });
  guard.on('data', (chunk: Buffer) => out.push(chunk.toString('latin1')));
  for (const chunk of chunks) guard.write(chunk);
  return { out, garbled };
}

const A = fixMessage('35=0|49=C|56=TM|34=2|52=20260101-00:00:00.000');
const B = fixMessage('35=1|49=C|56=TM|34=3|52=20260101-00:00:00.000|112=x');

describe('FixFrameGuard', () => {
  it('passes whole messages, one per frame, across and within chunks', () => {
    const joined = A + B;
    const { out, garbled } = run([joined.slice(0, 10), joined.slice(10, 60), joined.slice(60)]);
    expect(out).toEqual([A, B]);
    expect(garbled).toEqual([]);
  });

  it('drops junk before a message, a bad checksum, a wrong BodyLength, a bad header, and keeps going', () => {
    const badSum = A.replace(/10=\d{3}/, (m) => (m === '10=000' ? '10=001' : '10=000'));
    const badLength = A.replace(`\x019=${A.split('\x019=')[1]!.split('\x01')[0]}\x01`, '\x019=5\x01');
    const badHeader = A.replace('\x019=', '\x01X=');
    const { out, garbled } = run(['garbage!!', badSum, B, badLength, badHeader, A]);
    expect(out).toEqual([B, A]);
    expect(garbled).toEqual(['junk', 'bad-checksum', 'bad-trailer', 'bad-header']);
  });

  it('drops a message longer than the limit without waiting for all of it', () => {
    const huge = fixMessage(`35=B|148=${'x'.repeat(5_000)}`);
    const { out, garbled } = run([huge.slice(0, 40), huge.slice(40) + B], 1_024);
    expect(garbled[0]).toBe('too-long');
    expect(out).toEqual([B]);
  });

  it.each([
    ['a second MsgType', '35=0|49=C|56=TM|35=0|34=2|52=20260101-00:00:00.000', 'bad-field'],
    ['MsgType not first', '49=C|35=0|56=TM|34=2|52=20260101-00:00:00.000', 'bad-field'],
    ['a field without =', '35=0|49=C|56TM|34=2|52=20260101-00:00:00.000', 'bad-field'],
    ['a tag that is not a number', '35=0|49=C|5x=TM|34=2|52=20260101-00:00:00.000', 'bad-field'],
    ['tag 0', '35=0|49=C|0=TM|34=2|52=20260101-00:00:00.000', 'bad-field'],
    ['an empty value', '35=0|49=|56=TM|34=2|52=20260101-00:00:00.000', 'bad-field'],
    ['no MsgSeqNum', '35=0|49=C|56=TM|52=20260101-00:00:00.000', 'bad-seqnum'],
    ['MsgSeqNum 0', '35=0|49=C|56=TM|34=0|52=20260101-00:00:00.000', 'bad-seqnum'],
    ['MsgSeqNum past 2^31 - 2', '35=0|49=C|56=TM|34=2147483647|52=20260101-00:00:00.000', 'bad-seqnum'],
    [
      'a NewSeqNo past 2^31 - 1',
      '35=4|49=C|56=TM|34=2|52=20260101-00:00:00.000|123=Y|36=2147483648',
      'bad-seqnum',
    ],
    ['two MsgSeqNums', '35=0|49=C|56=TM|34=2|34=3|52=20260101-00:00:00.000', 'bad-seqnum'],
  ])('drops a message with %s, and passes the next', (_name, body, reason) => {
    const { out, garbled } = run([fixMessage(body), B]);
    expect(garbled).toEqual([reason]);
    expect(out).toEqual([B]);
  });

  it('passes data fields that hold SOH when their length field says so', () => {
    const withData = fixMessage('35=B|49=C|56=TM|34=4|52=20260101-00:00:00.000|148=x|95=5|96=a\x01b\x01c');
    const { out, garbled } = run([withData]);
    expect(garbled).toEqual([]);
    expect(out).toEqual([withData]);
  });
});
