import { FlowEventV1 } from '@tm/contracts';
import { copyJson, copyNullable, copyText, copyTimestamp } from '../batching/copy-text.js';
import { dayOfMicros, slotInLastToken, type CaptureFamily } from './capture-family.js';

export const flowEventFamily: CaptureFamily<FlowEventV1> = {
  name: 'flow',
  stream: (streams) => streams.FLOW,
  filterSubject: (subjects) => subjects.all.flowEvent(),
  slotOf: slotInLastToken,
  schema: FlowEventV1,
  rows(e, slot, sink) {
    sink.add(
      'flow_events',
      `${slot}\t${copyText(e.eventId)}\t${copyText(e.flowId)}\t${e.verb}\t${copyText(e.account)}\t${e.type}\t${copyNullable(e.step)}\t${e.attempt ?? '\\N'}\t${copyTimestamp(e.tsEvent)}\t${copyTimestamp(e.tsInit)}\t${copyJson(e.detail)}`,
      dayOfMicros(e.tsInit),
    );
  },
};
