import { describe, expect, it } from 'vitest';
import type { AssetRef } from '../server/domain/manifest.js';
import { expandOccurrences, occurrenceId, schedulePlays, type ScheduleDef } from '../server/domain/occurrences.js';
import { deviceItemsHash, deviceManifestBytes, devicePayload, nextVersion, zoneItems, zoneTemplate } from '../server/domain/zone-manifest.js';
import { toZonedIso, zoneOffsetMinutes } from '../server/domain/time.js';

const HCM = 'Asia/Ho_Chi_Minh';
const at = (iso: string) => Date.parse(iso);
const devices = [
  { id: 'thon-dong-1', zoneId: 'zn_dong' },
  { id: 'thon-dong-2', zoneId: 'zn_dong' },
  { id: 'thon-tay-1', zoneId: 'zn_tay' },
];
const programs = new Map([['pg_chao', { id: 'pg_chao', durationMs: 60_000 }]]);
const once = (id: string, iso: string, zoneIds: ScheduleDef['zoneIds'] = ['zn_dong']): ScheduleDef => ({
  id, programIds: ['pg_chao'], zoneIds, rule: { type: 'once', at: iso }, priority: 'normal',
});
const window = { from: at('2026-12-31T00:00:00+07:00'), to: at('2027-01-14T00:00:00+07:00') };

describe('occurrences of a once rule', () => {
  it('places one occurrence per device of each targeted zone, at the instant given with its offset', () => {
    const occ = expandOccurrences([once('sc_1', '2026-12-31T20:00:00+07:00')], devices, programs, window);
    expect(occ.map((o) => o.deviceId)).toEqual(expect.arrayContaining(['thon-dong-1', 'thon-dong-2']));
    expect(occ).toHaveLength(2);
    expect(occ[0].startAt).toBe(Date.UTC(2026, 11, 31, 13, 0, 0));
    expect(occ[0].endAt - occ[0].startAt).toBe(60_000);
  });

  it('targets every device with zoneIds "all"', () => {
    expect(expandOccurrences([once('sc_1', '2026-12-31T20:00:00+07:00', 'all')], devices, programs, window)).toHaveLength(3);
  });

  it('leaves out instants outside the window but keeps a play already under way', () => {
    const before = expandOccurrences([once('sc_1', '2026-12-30T20:00:00+07:00')], devices, programs, window);
    expect(before).toEqual([]);
    const running = expandOccurrences([once('sc_1', '2026-12-30T23:59:30+07:00')], devices, programs, window);
    expect(running).toHaveLength(2);
  });

  it('sorts by start time, then id', () => {
    const occ = expandOccurrences([once('sc_b', '2027-01-01T07:00:00+07:00'), once('sc_a', '2026-12-31T20:00:00+07:00')], devices, programs, window);
    expect(occ.map((o) => o.startAt)).toEqual([...occ.map((o) => o.startAt)].sort((a, b) => a - b));
  });

  it('gives the same occurrence the same id on every rebuild, and different ones to different devices', () => {
    const a = expandOccurrences([once('sc_1', '2026-12-31T20:00:00+07:00')], devices, programs, window);
    const b = expandOccurrences([once('sc_1', '2026-12-31T20:00:00+07:00')], devices, programs, window);
    expect(a.map((o) => o.occurrenceId)).toEqual(b.map((o) => o.occurrenceId));
    expect(new Set(a.map((o) => o.occurrenceId)).size).toBe(2);
    expect(occurrenceId('sc_1', 'thon-dong-1', 1)).not.toBe(occurrenceId('sc_1', 'thon-dong-1', 2));
  });
});

describe('manifest planning, once per hamlet', () => {
  const assets = new Map<string, AssetRef>([['pg_chao', { title: 'Lời chào', sha256: 'f'.repeat(64), bytes: 1000, durationMs: 60_000, url: '/media/x.opus' }]]);
  const schedules = [once('sc_1', '2026-12-31T20:00:00+07:00')];
  const playsOf = (s: ScheduleDef) => schedulePlays(s, programs, window, HCM);
  const template = zoneTemplate(zoneItems(schedules, playsOf, assets));
  const manifest = (deviceId: string) => JSON.parse(devicePayload(template, { deviceId, version: 1, issuedAt: 0, validUntil: 1000 }));

  it('gives each gateway of the hamlet the same items, with the occurrence ids the preview shows', () => {
    const occ = expandOccurrences(schedules, devices, programs, window);
    for (const d of ['thon-dong-1', 'thon-dong-2']) {
      const m = manifest(d);
      expect(m.items.map((i: { occurrenceId: string }) => i.occurrenceId)).toEqual(occ.filter((o) => o.deviceId === d).map((o) => o.occurrenceId));
      expect(m.items[0]).toMatchObject({ programId: 'pg_chao', title: 'Lời chào', startAt: at('2026-12-31T20:00:00+07:00'), asset: { sha256: 'f'.repeat(64) } });
    }
  });

  it('starts a device at version 1 and bumps the version only when its items change', () => {
    const hash = deviceItemsHash(template, 'thon-dong-1');
    expect(nextVersion(undefined, hash)).toBe(1);
    expect(nextVersion({ version: 1, itemsHash: hash }, hash)).toBeNull();
    const emptied = deviceItemsHash(zoneTemplate([]), 'thon-dong-1');
    expect(nextVersion({ version: 1, itemsHash: hash }, emptied)).toBe(2);
    expect(deviceItemsHash(template, 'thon-dong-2')).not.toBe(hash);
  });

  it('goes above a version the device holds that was never published (a restored backup), even with the same items', () => {
    const hash = deviceItemsHash(template, 'thon-dong-1');
    expect(nextVersion({ version: 3, itemsHash: hash }, hash, 7)).toBe(8);
  });

  it('writes each gateway\'s payload and envelope as the bytes JSON.stringify would, quotes, backslashes and Vietnamese included', () => {
    const tricky = new Map<string, AssetRef>([['pg_chao', { title: 'Lời chào "Tết" \\ mừng\nxuân 🌸', sha256: 'f'.repeat(64), bytes: 1000, durationMs: 60_000, url: '/media/x.opus' }]]);
    const t = zoneTemplate(zoneItems([...schedules, once('sc_2', '2026-12-31T21:00:00+07:00')], playsOf, tricky), { start: '22:00', end: '05:30' });
    for (const empty of [false, true]) {
      const tt = empty ? zoneTemplate([]) : t;
      const header = { deviceId: 'thon-"dong"-1', version: 3, issuedAt: 10, validUntil: 20 };
      const { payload, envelope } = deviceManifestBytes(tt, header);
      const text = payload.toString('utf8');
      expect(JSON.parse(text).items).toHaveLength(empty ? 0 : 2);
      expect(envelope('c2ln')).toEqual(Buffer.from(JSON.stringify({ payload: text, sig: 'c2ln' })));
    }
    expect(JSON.parse(devicePayload(t, { deviceId: 'a', version: 1, issuedAt: 0, validUntil: 1 })).items[0].title).toBe('Lời chào "Tết" \\ mừng\nxuân 🌸');
  });

  it('drops plays whose program has no asset', () => {
    expect(zoneItems(schedules, playsOf, new Map())).toEqual([]);
  });
});

describe('times in the commune time zone', () => {
  it('writes ISO 8601 with the +07:00 offset of Asia/Ho_Chi_Minh', () => {
    expect(zoneOffsetMinutes(Date.UTC(2026, 0, 1), HCM)).toBe(420);
    expect(toZonedIso(Date.UTC(2026, 11, 31, 13, 0, 0), HCM)).toBe('2026-12-31T20:00:00+07:00');
  });

  it('follows daylight saving where a zone has it', () => {
    expect(toZonedIso(Date.UTC(2026, 6, 1, 12), 'Europe/Berlin')).toBe('2026-07-01T14:00:00+02:00');
    expect(toZonedIso(Date.UTC(2026, 0, 1, 12), 'Europe/Berlin')).toBe('2026-01-01T13:00:00+01:00');
  });
});
