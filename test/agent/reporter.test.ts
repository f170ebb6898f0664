import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reporter, RETRY_MS } from '../../devices/agent/reporter.js';
import { topics } from '../../devices/protocol/index.js';
import { at } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';

describe('reporting events to the server', () => {
  let dir: string;
  let connected: boolean;
  let acked: { topic: string; payload: Record<string, unknown> }[];
  let direct: { topic: string; payload: Record<string, unknown>; qos: number }[];
  const link = {
    get connected() {
      return connected;
    },
    publish: (topic: string, payload: string, opts: { qos: 0 | 1 }) => void direct.push({ topic, payload: JSON.parse(payload), qos: opts.qos }),
    publishAcked: async (topic: string, payload: string) => {
      if (!connected) throw new Error('not connected');
      acked.push({ topic, payload: JSON.parse(payload) });
    },
  };
  /** A flush asked for while another runs only makes that one go round again: wait for the queue to empty. */
  const drained = async (r: Reporter) => {
    await r.flush();
    for (let i = 0; i < 100 && (await r.pending()).length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  const reporter = () => new Reporter({ id: 'thon-dong-1', dir: join(dir, 'outbox'), timers: fakeTimers(at('07:00')), link, log: () => {} });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-reporter-'));
    [connected, acked, direct] = [false, [], []];
  });
  afterEach(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('keeps an event on disk while offline and sends it with a PUBACK once the link is up', async () => {
    const r = reporter();
    await r.event({ type: 'command-result', seq: 3, result: 'done' });
    expect(await r.pending()).toHaveLength(1);
    connected = true;
    await drained(r);
    expect(acked).toEqual([{ topic: topics.event('thon-dong-1'), payload: { id: expect.any(String), at: at('07:00'), type: 'command-result', seq: 3, result: 'done' } }]);
    expect(await r.pending()).toEqual([]);
  });

  it('gives every event its own id, and sends them in the order they happened', async () => {
    const r = reporter();
    await r.event({ type: 'command-result', seq: 1, result: 'done' });
    await r.event({ type: 'command-result', seq: 2, result: 'done' });
    connected = true;
    await drained(r);
    expect(acked.map((a) => a.payload.seq)).toEqual([1, 2]);
    expect(new Set(acked.map((a) => a.payload.id)).size).toBe(2);
  });

  it('sends a report at once at QoS 1 when connected, drops it when not, and never writes it to disk', async () => {
    const r = reporter();
    r.report({ type: 'manifest-applied', version: 4 });
    connected = true;
    r.report({ type: 'manifest-applied', version: 5 });
    expect(direct).toEqual([{ topic: topics.event('thon-dong-1'), payload: { id: expect.any(String), at: at('07:00'), type: 'manifest-applied', version: 5 }, qos: 1 }]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('tries a send the broker never acknowledged again 30 s later, without waiting for the next event', async () => {
    const timers = fakeTimers(at('07:00'));
    let lost = 1;
    const r = new Reporter({
      id: 'thon-dong-1', dir: join(dir, 'outbox'), timers, log: () => {},
      link: {
        get connected() {
          return connected;
        },
        publish: link.publish,
        publishAcked: async (topic: string, payload: string) => {
          if (lost-- > 0) throw new Error('no PUBACK within 10 s');
          return link.publishAcked(topic, payload);
        },
      },
    });
    connected = true;
    await r.event({ type: 'played', occurrenceId: 'oc_1', result: 'completed' });
    for (let i = 0; i < 100 && timers.pendingCount === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(acked).toEqual([]);
    expect(await r.pending()).toHaveLength(1);
    await timers.advanceTo(at('07:00') + RETRY_MS - 1);
    expect(acked).toEqual([]);
    await timers.advanceTo(at('07:00') + RETRY_MS);
    for (let i = 0; i < 100 && (await r.pending()).length; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(acked.map((a) => a.payload.occurrenceId)).toEqual(['oc_1']);
    expect(await r.pending()).toEqual([]);
  });
});
