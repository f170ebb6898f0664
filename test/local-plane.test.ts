import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../devices/protocol/index.js';
import { createLogger } from '../server/logger.js';
import { localPlane } from '../server/mqtt/local.js';

describe('the server on the embedded broker, in-process', () => {
  let broker: Aedes | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
    broker = undefined;
  });

  it('takes a burst of 20,000 device messages queued in the broker, in order, without exhausting the stack', async () => {
    broker = await Aedes.createBroker();
    const plane = localPlane({ aedes: broker, log: createLogger('silent'), clock: { now: () => Date.now() } });
    const seen: number[] = [];
    plane.onDevice('telemetry', 'test', (deviceId, payload) => {
      expect(deviceId).toBe('thon-dong-1');
      seen.push(JSON.parse(payload.toString()).n);
    });
    const publish = (topic: string, payload: string) => new Promise<void>((resolve, reject) =>
      broker!.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())));
    // As when 10,000 gateways reconnect at once: the broker's 100 concurrent deliveries are taken by
    // manifests on their way out over slow sockets, and the gateways' own messages queue behind them.
    await new Promise<void>((resolve) => broker!.subscribe(topics.manifest('thon-dong-1'), (_packet, done) => setTimeout(done, 20), () => resolve()));
    const manifests = Array.from({ length: 100 }, () => publish(topics.manifest('thon-dong-1'), '{}'));
    const telemetry = Array.from({ length: 20_000 }, (_, n) => publish(topics.telemetry('thon-dong-1'), JSON.stringify({ n })));
    await Promise.all([...manifests, ...telemetry]);
    expect(seen).toHaveLength(20_000);
    expect(seen.every((n, i) => n === i)).toBe(true);
  });
});
