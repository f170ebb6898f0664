import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../server/bus.js';
import { openDb } from '../../server/db/client.js';
import { createLogger } from '../../server/logger.js';
import { createIncidents, type IncidentWebhookBody } from '../../server/plays/incidents.js';

describe('missed-play incidents', () => {
  it('POSTs the documented JSON body to the webhook when an incident opens and when it resolves, once each however many plays it groups', async () => {
    const received: IncidentWebhookBody[] = [];
    const hook = createServer((req, res) => {
      let text = '';
      req.on('data', (d) => (text += d)).on('end', () => {
        received.push(JSON.parse(text));
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    try {
      let now = Date.parse('2026-03-02T09:15:00+07:00');
      const { db } = openDb(':memory:');
      const incidents = createIncidents({
        db, bus: createBus(createLogger('silent')), clock: { now: () => now }, log: createLogger('silent'), communeName: 'Xã Hòa Bình',
        webhookUrl: `http://127.0.0.1:${(hook.address() as { port: number }).port}/loa-lang`, gateway: () => ({ name: 'Cụm loa Đình', hamlet: 'Thôn Đình' }),
      });
      for (let day = 0; day < 5; day++) incidents.missed('dinh-2', 'offline', 'gateway offline since 2026-03-02T01:00:00.000Z', now + day * 86400_000, now);
      await incidents.notify();
      now += 6 * 86400_000;
      incidents.played('dinh-2', now);
      await incidents.notify();
      expect(received.map((b) => b.event)).toEqual(['incident.opened', 'incident.resolved']);
      expect(received[1]).toEqual({
        event: 'incident.resolved', commune: 'Xã Hòa Bình',
        incident: {
          id: expect.stringMatching(/^in_/), kind: 'missed-plays', reasonKind: 'offline', reason: 'gateway offline since 2026-03-02T01:00:00.000Z', count: 5,
          gateway: { id: 'dinh-2', name: 'Cụm loa Đình', hamlet: 'Thôn Đình' },
          firstMissedAt: '2026-03-02T02:15:00.000Z', lastMissedAt: '2026-03-06T02:15:00.000Z', openedAt: '2026-03-02T02:15:00.000Z', resolvedAt: '2026-03-08T02:15:00.000Z',
        },
      });
      expect(incidents.list({ limit: 10 })).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });
});
