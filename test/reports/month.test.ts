import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayAgent } from '../../devices/agent/agent.js';
import { parseConfig } from '../../server/config.js';
import { toZonedIso } from '../../server/domain/time.js';
import { createLogger } from '../../server/logger.js';
import { startSystem, type RunningSystem } from '../../server/main.js';
import { speechLikeWav } from '../helpers/audio.js';
import { fakeTimers } from '../helpers/fake-timers.js';
import {
  ADMIN_PASSWORD, approvedProgram, approverSession, loginCookie, NO_HOUSEKEEPING_SCHEDULES, NO_QUIET_HOURS, systemClient, testAgent, waitFor, type ApiClient, type TestSystem,
} from '../helpers/system.js';

const TZ = 'Asia/Ho_Chi_Minh';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const at = (iso: string) => Date.parse(iso);
const day = (d: number, hhmm: string, ss = '00') => at(`2026-05-${String(d).padStart(2, '0')}T${hhmm}:${ss}+07:00`);

/**
 * A month of a commune, simulated: the server's clock and the gateways' are one fake clock, moved day
 * by day; the gateways are real agents over the real broker, playing into recording sinks. Three
 * hamlets hear the morning news every day; one gateway is switched off for three days, one misses an
 * asset, an emergency cuts the news on the 20th, and a one-off announcement is withdrawn while it plays.
 */
describe('a simulated month: planned against played, and the report', () => {
  const clock = fakeTimers(day(1, '05:00'));
  let dir: string;
  let sys: RunningSystem;
  let t: ApiClient;
  const agents = new Map<string, GatewayAgent>();
  const zones: Record<string, string> = {};
  const devices: Record<string, { id: string; secret: string }> = {};
  const programs: Record<string, { id: string; seconds: number }> = {};

  const devicesView = async () => (await (await t.api('/api/devices')).json()).devices as { id: string; online: boolean; appliedVersion: number; manifestVersion: number }[];
  // The rebuild a change queued has published first (it runs after the request is answered).
  const inSync = async () => {
    await sys.manifestsIdle();
    await waitFor(async () => (await devicesView()).filter((d) => agents.has(d.id)).every((d) => d.online && d.appliedVersion === d.manifestVersion), 15_000);
  };
  const startAgent = async (id: string) => {
    const a = testAgent({ sys, ...t } as TestSystem, devices[id], join(dir, 'gw', id), { timers: clock, telemetryMs: 40 * 86400_000, reconnectMinMs: 50, reconnectMaxMs: 200 });
    agents.set(id, a);
    await a.start();
  };
  const schedule = async (programId: string, zoneIds: string[], rule: unknown) => {
    const res = await t.api('/api/schedules', { method: 'POST', json: { programId, zoneIds, rule } });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()).schedule.id as string;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-month-'));
    const env = {
      HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'), LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'silent',
      ...NO_HOUSEKEEPING_SCHEDULES, SESSION_TTL_HOURS: '2000', DEVICE_TELEMETRY_SECONDS: String(40 * 86400),
    };
    sys = await startSystem(parseConfig(env), { clock, log: createLogger(process.env.TEST_LOG ? 'debug' : 'silent') });
    t = systemClient(sys, await loginCookie(sys.httpUrl, 'admin', ADMIN_PASSWORD));
    for (const [key, name] of [['a', 'Thôn An'], ['b', 'Thôn Bình'], ['c', 'Thôn Cát']]) {
      zones[key] = (await (await t.api('/api/zones', { method: 'POST', json: { name, ...NO_QUIET_HOURS } })).json()).zone.id;
      devices[`thon-${key}-1`] = (await (await t.api('/api/devices', { method: 'POST', json: { id: `thon-${key}-1`, name: `Cụm loa ${name}`, zoneId: zones[key] } })).json()).device;
    }
    for (const [key, seconds, title, category] of [
      ['news', 30, 'Bản tin sáng', 'news'], ['warning', 6, 'Cảnh báo lũ', 'emergency'], ['notice', 60, 'Thông báo tiêm chủng', 'procedure'], ['lost', 20, 'Hướng dẫn làm căn cước', 'procedure'],
    ] as const) {
      const wav = join(dir, `${key}.wav`);
      await speechLikeWav(wav, seconds);
      const p = await approvedProgram(t, wav, title, { category });
      programs[key] = { id: p.id, seconds: p.airing.durationMs / 1000 };
    }
    // Idle: the gateways have nothing in hand and every report they queued has its PUBACK (the fake
    // clock would otherwise pass a 10 s PUBACK deadline in the milliseconds a round trip takes).
    clock.idleWith(async () => {
      await Promise.all([...agents.values()].map((a) => a.settled()));
      for (let i = 0; i < 200; i++) {
        const pending = await Promise.all([...agents.values()].map((a) => a.pendingEvents()));
        if (pending.every((p) => p.length === 0)) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    await schedule(programs.news.id, Object.values(zones), { type: 'rrule', dtstart: toZonedIso(day(1, '07:00'), TZ), rrule: 'FREQ=DAILY;COUNT=30' });
    for (const id of ['thon-a-1', 'thon-b-1', 'thon-c-1']) await startAgent(id);
    await inSync();
    for (let d = 1; d <= 30; d++) {
      await clock.advanceTo(day(d, '06:00'));
      await sys.housekeeping.runNow('manifests-daily');
      if (d === 10) {
        // Switched off for three days.
        await agents.get('thon-c-1')!.stop();
        agents.delete('thon-c-1');
      }
      if (d === 13) await startAgent('thon-c-1');
      if (d === 15) {
        // The audio of this one is gone from the server before the gateway could fetch it.
        const lost = programs.lost.id;
        const { program } = await (await t.api(`/api/programs/${lost}`)).json();
        await rm(join(dir, 'media', 'assets', `${program.airing.sha256}.opus`), { force: true });
        await schedule(lost, [zones.b], { type: 'once', at: toZonedIso(day(15, '09:00'), TZ) });
      }
      if (d === 25) await schedule(programs.notice.id, [zones.a], { type: 'once', at: toZonedIso(day(25, '09:00'), TZ) });
      await inSync();
      if (d === 20) {
        await clock.advanceTo(day(20, '07:00', '10'));
        const chair = t.as(await approverSession(t));
        const fired = await chair('/api/broadcasts/emergency', { method: 'POST', json: { zoneIds: 'all', content: { type: 'program', programId: programs.warning.id }, repeat: { times: 1, gapSeconds: 0 } } });
        expect(fired.status).toBe(201);
        // Every gateway has started the warning before the clock moves on, and has finished it (6 s
        // later on the clock) before the clock jumps ahead: a busy machine must not stretch it.
        const id = (await fired.json()).broadcast.broadcast.id;
        const parts = async () => (await (await t.api(`/api/broadcasts/${id}`)).json()).broadcast.targets as { status: string }[];
        await waitFor(async () => (await parts()).every((x) => x.status === 'playing' || x.status === 'played'), 15_000);
        await clock.advanceTo(day(20, '07:00', '30'));
        await waitFor(async () => (await parts()).every((x) => x.status === 'played'), 15_000);
      }
      await clock.advanceTo(day(d, '07:02'));
      if (d === 25) {
        await clock.advanceTo(day(25, '09:00', '20'));
        const { schedules } = await (await t.api('/api/schedules')).json();
        const notice = schedules.find((s: { programIds: string[] }) => s.programIds[0] === programs.notice.id);
        expect((await t.api(`/api/schedules/${notice.id}`, { method: 'DELETE' })).status).toBe(204);
        await inSync();
      }
      await clock.advanceTo(day(d, '12:00'));
      await sys.housekeeping.runNow('settle');
    }
    await clock.advanceTo(at('2026-06-01T00:30:00+07:00'));
    await new Promise((r) => setTimeout(r, 500));
    await sys.housekeeping.runNow('settle');
  }, 300_000);
  afterAll(async () => {
    for (const a of agents.values()) await a.stop().catch(() => {});
    await sys?.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const period = `from=${encodeURIComponent('2026-05-01T00:00:00+07:00')}&to=${encodeURIComponent('2026-06-01T00:00:00+07:00')}`;
  const summaryOf = async () => (await (await t.api(`/api/reports/summary?${period}`)).json()) as {
    summary: Record<string, any>; tables: { sheet: string; title: string; columns: { key: string; header: string; type: string }[]; rows: Record<string, unknown>[] }[];
  };

  it('settles every planned play once: played, cut short by the emergency, withdrawn, or missed with the reason', async () => {
    const { plays } = await (await t.api(`/api/plays?${period}&limit=1000`)).json() as { plays: { gateway: string; hamlet: string; title: string; category: string; status: string; reason: string | null; playedMs: number }[] };
    const tally: Record<string, number> = {};
    for (const p of plays) {
      const key = `${p.gateway} · ${p.title} · ${p.status}${p.reason ? ` · ${p.reason}` : ''}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    expect(tally).toEqual({
      'Cụm loa Thôn An · Bản tin sáng · played': 29,
      'Cụm loa Thôn An · Bản tin sáng · interrupted · interrupted by "Cảnh báo lũ"': 1,
      'Cụm loa Thôn An · Cảnh báo lũ · played': 1,
      'Cụm loa Thôn An · Thông báo tiêm chủng · cancelled · removed from the schedule': 1,
      'Cụm loa Thôn Bình · Bản tin sáng · played': 29,
      'Cụm loa Thôn Bình · Bản tin sáng · interrupted · interrupted by "Cảnh báo lũ"': 1,
      'Cụm loa Thôn Bình · Cảnh báo lũ · played': 1,
      'Cụm loa Thôn Bình · Hướng dẫn làm căn cước · missed · asset not available or failed verification': 1,
      'Cụm loa Thôn Cát · Bản tin sáng · played': 26,
      'Cụm loa Thôn Cát · Bản tin sáng · interrupted · interrupted by "Cảnh báo lũ"': 1,
      'Cụm loa Thôn Cát · Bản tin sáng · missed · gateway was not running at the time': 3,
      'Cụm loa Thôn Cát · Cảnh báo lũ · played': 1,
    });
    // The emergency cut the news 10 s in; the withdrawn notice played 20 s before it was stopped.
    const cut = plays.filter((p) => p.status === 'interrupted').map((p) => Math.round(p.playedMs / 1000));
    expect(cut).toEqual([10, 10, 10]);
    expect(Math.round(plays.find((p) => p.status === 'cancelled')!.playedMs / 1000)).toBe(20);
    // A technician may read it too.
    const tech = await t.api('/api/users', { method: 'POST', json: { username: 'kythuat', password: 'kỹ-thuật-viên-xã-2026', role: 'technician', displayName: 'Kỹ thuật viên' } });
    expect(tech.status).toBe(201);
    expect((await t.as(await loginCookie(sys.httpUrl, 'kythuat', 'kỹ-thuật-viên-xã-2026'))(`/api/plays?${period}&status=missed`)).status).toBe(200);
  });

  it('sums the month to exactly the counts and minutes played', async () => {
    const { summary } = await summaryOf();
    // 30 mornings of news (the 20th's cut to 10 s) and one 6 s emergency; the withdrawn notice is not a broadcast.
    expect(summary.totals).toEqual({
      broadcasts: 31, minutes: Math.round((29 * 30 + 10 + 6) / 60 * 100) / 100, hamletBroadcasts: 30 + 30 + 27 + 3,
      expectedPlays: 94, playedPlays: 90, proofOfPlayPercent: 95.7, missedPlays: 4, emergencies: 1,
    });
    expect(summary.byCategory.map((c: { category: string; broadcasts: number; minutes: number }) => [c.category, c.broadcasts, c.minutes]))
      .toEqual([['emergency', 1, 0.1], ['news', 30, Math.round((29 * 30 + 10) / 60 * 100) / 100]]);
    expect(summary.byHamlet.map((h: { hamlet: string; broadcasts: number; expectedPlays: number; playedPlays: number }) => [h.hamlet, h.broadcasts, h.expectedPlays, h.playedPlays]))
      .toEqual([['Thôn An', 31, 31, 31], ['Thôn Bình', 31, 32, 31], ['Thôn Cát', 28, 31, 28]]);
    expect(summary.missedByReason.map((r: { reason: string; count: number }) => [r.reason, r.count])).toEqual([['offline', 3], ['asset', 1]]);
    // Thôn Cát's gateway was off from the 10th 06:00 to the 13th 06:00: 72 h of the 739 h since it was added.
    expect(summary.availability.map((a: { gatewayId: string; onlinePercent: number }) => [a.gatewayId, a.onlinePercent]))
      .toEqual([['thon-a-1', 100], ['thon-b-1', 100], ['thon-c-1', Math.round((1 - 72 / 739) * 1000) / 10]]);
    expect(summary.emergencies).toMatchObject([{ title: 'Cảnh báo lũ', hamlets: 3, gateways: 3, reached: 3 }]);
  });

  it('gives the same numbers in the CSV and the workbook as on the page', async () => {
    const { tables } = await summaryOf();
    const csv = await (await t.api(`/api/reports/summary.csv?${period}`)).text();
    const book = new ExcelJS.Workbook();
    const xlsx = await (await t.api(`/api/reports/summary.xlsx?${period}`)).arrayBuffer();
    console.log(`the month's exports: CSV ${Buffer.byteLength(csv)} bytes, XLSX ${xlsx.byteLength} bytes`);
    await book.xlsx.load(xlsx);
    for (const table of tables.filter((x) => x.columns.some((c) => c.type === 'number' || c.type === 'percent'))) {
      const sheet = book.getWorksheet(table.sheet)!;
      table.rows.forEach((row, i) => {
        const cells = sheet.getRow(i + 3).values as unknown[];
        table.columns.forEach((c, j) => {
          if (c.type !== 'number' && c.type !== 'percent') return;
          expect(cells[j + 1], `${table.sheet} ${c.header}`).toBe(row[c.key]);
        });
        const line = table.columns.map((c) => (c.type === 'number' || c.type === 'percent' ? String(row[c.key]) : null));
        expect(csv.split('\r\n').some((l) => l.split(',').every((cell, j) => line[j] === null || line[j] === cell)), `${table.sheet} row ${i} in the CSV`).toBe(true);
      });
    }
    const totals = book.getWorksheet('Tong hop')!;
    expect(totals.getRow(3).values).toEqual([undefined, 'Số lượt phát (chương trình phát một lần, một hay nhiều thôn)', 31]);
  });

  it('prints on A4 in Chromium with the same figures', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const context = await browser.newContext();
      const cookie = await loginCookie(sys.httpUrl, 'admin', ADMIN_PASSWORD);
      const [name, value] = cookie.split(';')[0].split('=');
      await context.addCookies([{ name, value, url: sys.httpUrl }]);
      const page = await context.newPage();
      const res = await page.goto(`${sys.httpUrl}/bao-cao/in?${period}`);
      expect(res?.status()).toBe(200);
      const text = await page.locator('body').innerText();
      for (const figure of ['Thôn Cát\t28\t', 'Tỉ lệ phát đúng kế hoạch (%)\t95,7', 'Cụm loa mất kết nối hoặc tắt\t3', '20/05/2026 07:00\tCảnh báo lũ']) expect(text).toContain(figure);
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
      expect(pages).toBeGreaterThanOrEqual(1);
      expect(pages).toBeLessThanOrEqual(4);
      console.log(`the month's A4 print: ${pages} page(s), PDF ${pdf.length} bytes`);
      if (process.env.REPORT_PDF) await writeFile(process.env.REPORT_PDF, pdf);
    } finally {
      await browser.close();
    }
  });
});
