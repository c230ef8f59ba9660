import { JetStreamApiError, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { provisionStream } from './stream-provisioning.js';

const spec = { name: 'TM_EXEC', subjects: ['tm.exec.*'], maxAgeMs: 1_000 };

/** A manager that loses the add race: the stream appears between its info and its add. */
function managerLosingTheRace(existing: Partial<StreamConfig>) {
  const calls: string[] = [];
  let created = false;
  const jsm = {
    streams: {
      info: async () => {
        calls.push('info');
        if (!created) {
          created = true;
          throw new JetStreamApiError({ code: 404, err_code: 10059, description: 'stream not found' });
        }
        return { config: existing };
      },
      add: async () => {
        calls.push('add');
        throw new JetStreamApiError({
          code: 400,
          err_code: 10058,
          description: 'stream name already in use',
        });
      },
      update: async (_name: string, config: Partial<StreamConfig>) => {
        calls.push(`update ${JSON.stringify(config)}`);
        return { config };
      },
    },
  } as unknown as JetStreamManager;
  return { jsm, calls };
}

describe('provisionStream when another process wins the add race', () => {
  it('re-reads the stream and leaves it alone when it matches', async () => {
    const { jsm, calls } = managerLosingTheRace({ subjects: ['tm.exec.*'], max_age: 1_000_000_000 });
    await provisionStream(jsm, spec);
    expect(calls).toEqual(['info', 'add', 'info']);
  });

  it('re-reads the stream and updates it when it differs', async () => {
    const { jsm, calls } = managerLosingTheRace({ subjects: ['tm.exec.1'], max_age: 1_000_000_000 });
    await provisionStream(jsm, spec);
    expect(calls).toEqual([
      'info',
      'add',
      'info',
      'update {"subjects":["tm.exec.*"],"max_age":1000000000,"max_msgs_per_subject":-1}',
    ]);
  });

  it('rethrows any other add failure', async () => {
    const jsm = {
      streams: {
        info: async () => {
          throw new JetStreamApiError({ code: 404, err_code: 10059, description: 'stream not found' });
        },
        add: async () => {
          throw new JetStreamApiError({ code: 500, err_code: 10023, description: 'insufficient resources' });
        },
      },
    } as unknown as JetStreamManager;
    await expect(provisionStream(jsm, spec)).rejects.toThrow(/insufficient resources/);
  });
});
