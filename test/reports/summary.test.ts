import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { toCsv, toXlsx } from '../../server/reports/export.js';
import { presetPeriod } from '../../server/reports/periods.js';
import { holidaysIn, onlineShare, summarize, type ReportPlay } from '../../server/reports/summary.js';
import { reportTables } from '../../server/reports/tables.js';

const TZ = 'Asia/Ho_Chi_Minh';
const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const zones = [{ id: 'zn_a', name: 'Thôn Đông' }, { id: 'zn_b', name: 'Thôn Tây' }];
const devices = [
  { id: 'gw-a1', name: 'Cụm loa Đông 1', zoneId: 'zn_a', createdAt: 0 },
  { id: 'gw-a2', name: 'Cụm loa Đông 2', zoneId: 'zn_a', createdAt: 0 },
  { id: 'gw-b1', name: 'Cụm loa Tây', zoneId: 'zn_b', createdAt: 0 },
];
const play = (deviceId: string, startIso: string, category: string, status: ReportPlay['status'], playedMs: number, extra: Partial<ReportPlay> = {}): ReportPlay => ({
  deviceId, zoneId: devices.find((d) => d.id === deviceId)!.zoneId, programId: `pg_${category}`, title: `Chương trình ${category}`, category, priority: 'normal',
  startAt: at(startIso), status, reasonKind: status === 'missed' ? 'offline' : null, playedMs, ...extra,
});

describe('the review-period summary', () => {
  const from = at('2026-04-01T00:00:00+07:00');
  const to = at('2026-06-01T00:00:00+07:00');
  const plays: ReportPlay[] = [
    // One law broadcast meant for both hamlets, heard in one (the other gateway missed it).
    play('gw-a1', '2026-04-06T07:00:00+07:00', 'law', 'played', 5 * MIN),
    play('gw-a2', '2026-04-06T07:00:00+07:00', 'law', 'played', 5 * MIN),
    play('gw-b1', '2026-04-06T07:00:00+07:00', 'law', 'missed', 0),
    play('gw-a1', '2026-04-20T07:00:00+07:00', 'law', 'played', 5 * MIN),
    // The chair's greeting on the eve of 30 April, and one cut short by an emergency on 1 May.
    play('gw-b1', '2026-04-29T19:00:00+07:00', 'greeting', 'played', 2 * MIN),
    play('gw-a1', '2026-05-01T07:00:00+07:00', 'greeting', 'interrupted', 1 * MIN),
    play('gw-a1', '2026-05-10T08:00:00+07:00', 'news', 'cancelled', 0),
  ];
  const availability = new Map([
    ['gw-a1', [{ at: 0, online: true }]],
    ['gw-a2', [{ at: 0, online: true }, { at: at('2026-05-01T00:00:00+07:00'), online: false }]],
  ]);
  const s = summarize({ from, to, tz: TZ, plays, zones, devices, availability, emergencies: [], thematicTarget: 2 });

  it('counts a broadcast once whatever the number of hamlets, and its airtime once', () => {
    expect(s.totals).toMatchObject({ broadcasts: 4, minutes: 13, hamletBroadcasts: 4, expectedPlays: 6, playedPlays: 5, proofOfPlayPercent: 83.3, missedPlays: 1 });
    expect(s.byCategory).toEqual([
      { category: 'greeting', label: 'Lời chào, chúc mừng', broadcasts: 2, minutes: 3 },
      { category: 'law', label: 'Phổ biến pháp luật', broadcasts: 2, minutes: 10 },
    ]);
    expect(s.byHamlet.find((h) => h.zoneId === 'zn_b')).toMatchObject({ broadcasts: 1, minutes: 2, expectedPlays: 2, playedPlays: 1, proofOfPlayPercent: 50 });
  });

  it('says for each holiday whether the chair\'s greeting aired and in how many hamlets, the eve counting', () => {
    const byId = Object.fromEntries(s.greetings.map((g) => [g.holiday, g]));
    expect(byId.reunification).toMatchObject({ from: '2026-04-30', aired: true, hamlets: 1 });
    expect(byId.labour).toMatchObject({ from: '2026-05-01', aired: true, hamlets: 1 });
    expect(byId['hung-kings']).toMatchObject({ from: '2026-04-26', aired: false, hamlets: 0 });
  });

  it('sets thematic broadcasts per month against the commune\'s target', () => {
    expect(s.thematic).toEqual([{ month: '2026-04', count: 2, target: 2, met: true }, { month: '2026-05', count: 0, target: 2, met: false }]);
  });

  it('measures each gateway\'s time online from its transitions', () => {
    expect(s.availability.map((a) => [a.gatewayId, a.onlinePercent])).toEqual([['gw-a1', 100], ['gw-a2', 49.2], ['gw-b1', 0]]);
    expect(onlineShare([{ at: 10, online: true }, { at: 60, online: false }], 0, 100, 0)).toBe(0.5);
  });

  it('gives the same numbers in the CSV and in the workbook, read back with the library', async () => {
    const tables = reportTables(s, TZ);
    const csv = toCsv('Báo cáo', tables);
    expect(csv.startsWith('\ufeffBáo cáo')).toBe(true);
    expect(csv).toContain('Phổ biến pháp luật,2,10');
    expect(csv).toContain('"Ngày Giải phóng miền Nam, thống nhất đất nước",30/04/2026,30/04/2026,Có,1');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await toXlsx('Báo cáo', tables) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(tables.map((t) => t.sheet));
    const byCategory = wb.getWorksheet('Theo loai')!;
    expect(byCategory.getRow(2).values).toEqual([undefined, 'Loại', 'Số lượt phát', 'Số phút']);
    expect(byCategory.getRow(4).values).toEqual([undefined, 'Phổ biến pháp luật', 2, 10]);
    const greetings = wb.getWorksheet('Loi chao')!;
    const reunification = greetings.getRow(4);
    expect(reunification.getCell(2).value).toEqual(new Date('2026-04-30T00:00:00Z'));
    expect(reunification.getCell(2).numFmt).toBe('dd/mm/yyyy');
  });
});

describe('review periods', () => {
  const now = at('2026-12-01T10:00:00+07:00');
  it.each([
    ['month', '2026-12-01', '2027-01-01'],
    ['quarter', '2026-10-01', '2027-01-01'],
    ['review-year', '2026-05-15', '2027-05-15'],
  ] as const)('%s runs from %s to %s in the commune\'s time', (preset, from, to) => {
    const p = presetPeriod(preset, now, TZ);
    expect(p).toEqual({ from: at(`${from}T00:00:00+07:00`), to: at(`${to}T00:00:00+07:00`) });
  });

  it('finds Tết as three days and New Year as one', () => {
    const h = holidaysIn(at('2026-01-01T00:00:00+07:00'), at('2026-03-01T00:00:00+07:00'), TZ);
    expect(h.map((x) => [x.id, x.days[0], x.days.length])).toEqual([['new-year', '2026-01-01', 1], ['tet', '2026-02-17', 3]]);
  });
});
