import { describe, expect, it } from 'vitest';
import { createBus } from '../server/bus.js';
import { openDb } from '../server/db/client.js';
import { assets, programs as programsTable, users } from '../server/db/schema.js';
import { expandOccurrences } from '../server/domain/occurrences.js';
import { createLogger } from '../server/logger.js';
import { createSchedulesService } from '../server/schedules/service.js';

const TZ = 'Asia/Ho_Chi_Minh';
const DAY = 86400_000;

describe('a series of episodes (the democracy-law series)', () => {
  it('rotates one episode per occurrence and continues where it stopped when the rule changes', async () => {
    let now = Date.parse('2026-03-01T00:00:00+07:00');
    const { db } = openDb(':memory:');
    db.insert(users).values({ id: 'us_1', username: 'canbo', role: 'editor', passwordHash: 'x', createdAt: 0 }).run();
    const episodes = ['pg_ep1', 'pg_ep2', 'pg_ep3', 'pg_ep4'];
    const programs = new Map(episodes.map((id) => [id, { id, durationMs: 300_000, status: 'approved', title: id }]));
    for (const id of episodes) {
      db.insert(assets).values({ sha256: id.padEnd(64, '0'), bytes: 1, durationMs: 300_000, loudnessLufs: -16, truePeakDb: -2, createdAt: 0 }).run();
      db.insert(programsTable).values({ id, title: id, category: 'law', status: 'approved', assetSha256: id.padEnd(64, '0'), createdAt: 0, updatedAt: 0 }).run();
    }
    const devices = [{ id: 'thon-dong-1', zoneId: 'zn_dong' }];
    const service = createSchedulesService({
      db, bus: createBus(createLogger('silent')), clock: { now: () => now }, timeZone: TZ, programs: () => programs,
      zones: () => [{ id: 'zn_dong', name: 'Thôn Đông', quietStart: '22:00', quietEnd: '05:30' }], devices: () => devices,
    });
    const created = await service.create({
      programIds: episodes, zoneIds: ['zn_dong'], priority: 'normal',
      rule: { type: 'rrule', dtstart: '2026-03-02T19:30:00+07:00', rrule: 'FREQ=WEEKLY;BYDAY=MO' },
    }, 'us_1');
    const upcoming = (from: number, days: number) =>
      expandOccurrences([service.get(created.id)], devices, programs, { from, to: from + days * DAY }, TZ).map((o) => o.programId);
    expect(upcoming(now, 28)).toEqual(['pg_ep1', 'pg_ep2', 'pg_ep3', 'pg_ep4']);

    // Two Mondays later (ep1, ep2 aired) the officer moves the series to Thursdays.
    now = Date.parse('2026-03-10T12:00:00+07:00');
    await service.update(created.id, { rule: { type: 'rrule', dtstart: '2026-03-12T19:30:00+07:00', rrule: 'FREQ=WEEKLY;BYDAY=TH' } });
    expect(upcoming(now, 21)).toEqual(['pg_ep3', 'pg_ep4', 'pg_ep1']);
  });
});
