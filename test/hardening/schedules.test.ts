import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seedApprovedProgram, useTestApp } from '../helpers/app.js';
import { createDevice, createZone, useTestSystem } from '../helpers/system.js';

const day = (d: number, hhmm: string) => `2026-03-${String(d).padStart(2, '0')}T${hhmm}:00+07:00`;

describe('one schedule request cannot freeze the server', () => {
  const t = useTestApp();
  const post = (json: unknown, query = '') => t.api(`/api/schedules${query}`, { method: 'POST', json });

  it('refuses a rule with 840 plays a day (BYHOUR × BYMINUTE) at once, with a code and the limit, and saves nothing', async () => {
    const zone = await createZone(t, 'Thôn Dày');
    const programId = seedApprovedProgram(t, 'Tin ngắn', 20_000);
    const rrule = `FREQ=DAILY;BYHOUR=${Array.from({ length: 14 }, (_, h) => h + 6).join(',')};BYMINUTE=${Array.from({ length: 60 }, (_, m) => m).join(',')}`;
    const started = performance.now();
    for (const query of ['', '?dryRun=true']) {
      const res = await post({ programId, zoneIds: [zone], rule: { type: 'rrule', dtstart: day(3, '06:00'), rrule } }, query);
      expect(res.status).toBe(422);
      expect((await res.json()).error).toMatchObject({ code: 'too_many_plays', details: { playsPerDay: 840, limit: 48 } });
    }
    expect(performance.now() - started).toBeLessThan(500);
    expect((await (await t.api('/api/schedules')).json()).schedules).toEqual([]);
  });

  it('expands a rule whose DTSTART is in 1900 as fast as one that starts today', async () => {
    const zone = await createZone(t, 'Thôn Xưa');
    const programId = seedApprovedProgram(t, 'Tin cũ', 20_000);
    const timed = async (dtstart: string) => {
      const start = performance.now();
      const res = await post({ programId, zoneIds: [zone], rule: { type: 'rrule', dtstart, rrule: 'FREQ=DAILY;BYHOUR=7,11,17;BYMINUTE=0' } }, '?dryRun=true');
      expect(res.status).toBe(200);
      return { ms: performance.now() - start, body: await res.json() };
    };
    const today = await timed(day(2, '07:00'));
    const old = await timed('1900-01-01T07:00:00+07:00');
    expect(old.body.occurrences.slice(0, 3).map((o: { startAt: string }) => o.startAt)).toEqual(today.body.occurrences.slice(0, 3).map((o: { startAt: string }) => o.startAt));
    expect(old.ms).toBeLessThan(Math.max(200, today.ms * 3));
  });

  it.each([
    ['a 31st of February', '2027-02-31T07:00:00+07:00'],
    ['an offset of +99:99', '2026-03-03T07:00:00+99:99'],
    ['hour 24', '2026-03-03T24:00:00+07:00'],
  ])('refuses %s with 400, in a dry run too', async (_what, at) => {
    const zone = await createZone(t, `Thôn Ngày ${at}`);
    const programId = seedApprovedProgram(t, 'Tin ngày', 20_000);
    for (const query of ['', '?dryRun=true']) {
      const res = await post({ programId, zoneIds: [zone], rule: { type: 'once', at } }, query);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_request');
    }
  });
});

describe('the items a gateway holds', () => {
  const t = useTestApp({ env: { MAX_MANIFEST_ITEMS: '20' } });
  const post = (json: unknown, query = '') => t.api(`/api/schedules${query}`, { method: 'POST', json });

  it('are bounded: a schedule that would put more in a gateway\'s manifest than it may hold is refused', async () => {
    const zone = await createZone(t, 'Thôn Đầy');
    await createDevice(t, 'thon-day-1', zone);
    const programId = seedApprovedProgram(t, 'Tin dày', 20_000);
    const res = await post({ programId, zoneIds: [zone], rule: { type: 'rrule', dtstart: day(3, '07:00'), rrule: 'FREQ=DAILY;BYHOUR=7,17;BYMINUTE=0' } });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 'manifest_too_large', details: { zoneName: 'Thôn Đầy', limit: 20 } });
    expect(error.details.items).toBeGreaterThan(20);
  });

});

describe('/healthz while a heavy schedule request is processed, over real HTTP', () => {
  const t = useTestSystem({ MAX_MANIFEST_ITEMS: '100000' });

  it('answers within 200 ms while a dry run checks a year of a busy commune', async () => {
    // A busy commune: 30 hamlets, 300 schedules of four plays a day, written straight to the database.
    const sqlite = new Database(join(t.dir, 'data', 'loalang.db'));
    const zones: string[] = [];
    for (let z = 0; z < 30; z++) zones.push(await createZone(t, `Thôn ${z}`, { quietStart: '00:00', quietEnd: '00:00' }));
    for (let z = 0; z < 30; z++) await createDevice(t, `thon-so-${z}`, zones[z]);
    const now = Date.now();
    sqlite.transaction(() => {
      sqlite.prepare(`insert into assets (sha256, bytes, duration_ms, loudness_lufs, true_peak_db, created_at) values (?, 1000, 30000, -16, -1.5, ?)`).run('a'.repeat(64), now);
      sqlite.prepare(`insert into programs (id, title, category, status, asset_sha256, airing_sha256, airing_version, latest_version, created_at, updated_at)
        values ('pg_busy', 'Bản tin', 'news', 'approved', ?, ?, 1, 1, ?, ?)`).run('a'.repeat(64), 'a'.repeat(64), now, now);
      sqlite.prepare(`insert into program_versions (id, program_id, version, asset_sha256, status, source, created_at) values ('pv_busy', 'pg_busy', 1, ?, 'approved', 'upload', ?)`).run('a'.repeat(64), now);
      const insert = sqlite.prepare(`insert into schedules (id, program_id, zone_ids, rule, priority, created_at, updated_at) values (?, 'pg_busy', ?, ?, 'priority', ?, ?)`);
      for (let s = 0; s < 300; s++) {
        const rule = { type: 'rrule', dtstart: '2026-01-01T06:00:00+07:00', rrule: `FREQ=DAILY;BYHOUR=${6 + (s % 4)},${10 + (s % 4)},${14 + (s % 4)},${18 + (s % 4)};BYMINUTE=${s % 60}` };
        insert.run(`sc_busy_${s}`, JSON.stringify([zones[s % 30], zones[(s * 7) % 30]]), JSON.stringify(rule), now, now);
      }
    })();
    sqlite.close();

    const worst = { ms: 0 };
    let busy = true;
    const sampler = (async () => {
      while (busy) {
        const start = performance.now();
        const res = await fetch(`${t.sys.httpUrl}/healthz`);
        await res.arrayBuffer();
        worst.ms = Math.max(worst.ms, performance.now() - start);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const started = performance.now();
    const res = await t.api('/api/schedules?dryRun=true', {
      method: 'POST', json: { programId: 'pg_busy', zoneIds: 'all', priority: 'priority', rule: { type: 'rrule', dtstart: '2026-01-01T06:00:00+07:00', rrule: 'FREQ=DAILY;BYHOUR=6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21;BYMINUTE=0,20,40' } },
    });
    const tookMs = performance.now() - started;
    busy = false;
    await sampler;
    expect(res.status).toBe(200);
    expect((await res.json()).occurrenceCount).toBeGreaterThan(30 * 48 * 300);
    console.log(`dry run of a 48-a-day schedule on 30 hamlets against 300 schedules: ${tookMs.toFixed(0)} ms; worst /healthz meanwhile ${worst.ms.toFixed(0)} ms`);
    expect(worst.ms).toBeLessThan(200);
  });
});
