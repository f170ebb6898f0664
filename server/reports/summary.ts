import { CATEGORIES, CATEGORY_LABELS, type Category } from '../domain/categories.js';
import { HOLIDAY_NAMES, holidaysOn, type HolidayId } from '../domain/holidays.js';
import { dateKey, localDates, localParts } from '../domain/time.js';

/** A settled play, as the report reads it. */
export interface ReportPlay {
  deviceId: string; zoneId: string; programId: string; title: string; category: string; priority: string;
  startAt: number; status: 'played' | 'interrupted' | 'cancelled' | 'missed'; reasonKind: string | null; playedMs: number;
}
export interface ReportBroadcast { id: string; title: string; riskLevel: number | null; firedAt: number; status: string; hamlets: number; gateways: number; reached: number }
export interface ReportInput {
  from: number; to: number; tz: string;
  /** Availability is measured up to now: nobody is online in the future. */
  now?: number;
  plays: ReportPlay[];
  zones: { id: string; name: string }[];
  devices: { id: string; name: string; zoneId: string; createdAt: number }[];
  /** Each gateway's online/offline transitions, oldest first, with the state before `from`. */
  availability: Map<string, { at: number; online: boolean }[]>;
  emergencies: ReportBroadcast[];
  thematicTarget: number;
}

export const REASON_LABELS: Record<string, string> = {
  offline: 'Cụm loa mất kết nối hoặc tắt', 'not-received': 'Chưa nhận lịch mới', asset: 'Thiếu tệp âm thanh', disk: 'Đầy bộ nhớ',
  clock: 'Sai đồng hồ', late: 'Phát trễ quá giới hạn', agent: 'Lỗi phần mềm cụm loa', unknown: 'Không rõ (không có báo cáo)',
};

const aired = (p: ReportPlay) => p.status === 'played' || (p.status === 'interrupted' && p.playedMs > 0);
const minutes = (ms: number) => Math.round(ms / 600) / 100;
const monthOf = (ms: number, tz: string) => { const p = localParts(ms, tz); return `${p.year}-${String(p.month).padStart(2, '0')}`; };

/** One broadcast = one program aired at one time, in one or more hamlets; its airtime is the longest any gateway played. */
function broadcastsOf(plays: ReportPlay[]) {
  const map = new Map<string, { programId: string; title: string; category: string; startAt: number; ms: number; zones: Map<string, number> }>();
  for (const p of plays) {
    if (!aired(p)) continue;
    const key = `${p.programId}|${p.startAt}`;
    const b = map.get(key) ?? { programId: p.programId, title: p.title, category: p.category, startAt: p.startAt, ms: 0, zones: new Map() };
    b.ms = Math.max(b.ms, p.playedMs);
    b.zones.set(p.zoneId, Math.max(b.zones.get(p.zoneId) ?? 0, p.playedMs));
    map.set(key, b);
  }
  return [...map.values()];
}

/** The share of [from, to) a gateway was online, from its transitions. */
export function onlineShare(transitions: { at: number; online: boolean }[], from: number, to: number, since: number): number {
  const start = Math.max(from, since);
  if (to <= start) return 0;
  let online = false;
  let at = start;
  let up = 0;
  for (const t of transitions) {
    if (t.at <= start) { online = t.online; continue; }
    if (t.at >= to) break;
    if (online) up += t.at - at;
    online = t.online;
    at = t.at;
  }
  if (online) up += to - at;
  return up / (to - start);
}

/** The holidays of the period, each once with its days (Tết is three), from the Vietnamese calendar. */
export function holidaysIn(from: number, to: number, tz: string): { id: HolidayId; name: string; days: string[] }[] {
  const out: { id: HolidayId; name: string; days: string[] }[] = [];
  for (const d of localDates(from, to - 1, tz)) {
    for (const id of holidaysOn(d)) {
      const last = out.at(-1);
      if (last && last.id === id) last.days.push(dateKey(d));
      else out.push({ id, name: HOLIDAY_NAMES[id], days: [dateKey(d)] });
    }
  }
  return out;
}

/** The figures of a review period, the same for the page, the CSV, the workbook and the printout. */
export function summarize(i: ReportInput) {
  const zoneName = new Map(i.zones.map((z) => [z.id, z.name]));
  const casts = broadcastsOf(i.plays);
  const settled = i.plays.filter((p) => p.status !== 'cancelled');
  const played = settled.filter(aired).length;

  const byCategory = CATEGORIES.map((c: Category) => {
    const mine = casts.filter((b) => b.category === c);
    return { category: c, label: CATEGORY_LABELS[c], broadcasts: mine.length, minutes: minutes(mine.reduce((n, b) => n + b.ms, 0)) };
  }).filter((r) => r.broadcasts > 0);

  const byHamlet = i.zones.map((z) => {
    const mine = casts.filter((b) => b.zones.has(z.id));
    const expected = settled.filter((p) => p.zoneId === z.id);
    const ok = expected.filter(aired).length;
    return {
      zoneId: z.id, hamlet: z.name, broadcasts: mine.length, minutes: minutes(mine.reduce((n, b) => n + (b.zones.get(z.id) ?? 0), 0)),
      expectedPlays: expected.length, playedPlays: ok, proofOfPlayPercent: expected.length ? Math.round((1000 * ok) / expected.length) / 10 : null,
    };
  });

  const months = new Map<string, Map<string, { broadcasts: number; ms: number }>>();
  for (const b of casts) {
    const m = monthOf(b.startAt, i.tz);
    const row = months.get(m) ?? new Map();
    const cell = row.get(b.category) ?? { broadcasts: 0, ms: 0 };
    cell.broadcasts++;
    cell.ms += b.ms;
    row.set(b.category, cell);
    months.set(m, row);
  }
  const byMonth = [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([month, row]) =>
    [...row.entries()].map(([category, c]) => ({ month, category, label: CATEGORY_LABELS[category as Category] ?? category, broadcasts: c.broadcasts, minutes: minutes(c.ms) })));

  const missed = new Map<string, number>();
  for (const p of i.plays) if (p.status === 'missed') missed.set(p.reasonKind ?? 'unknown', (missed.get(p.reasonKind ?? 'unknown') ?? 0) + 1);
  const missedByReason = [...missed.entries()].sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ reason, label: REASON_LABELS[reason] ?? reason, count }));

  const availability = i.devices.map((d) => ({
    zoneId: d.zoneId, hamlet: zoneName.get(d.zoneId) ?? d.zoneId, gatewayId: d.id, gateway: d.name,
    onlinePercent: Math.round(1000 * onlineShare(i.availability.get(d.id) ?? [], i.from, Math.min(i.to, i.now ?? i.to), d.createdAt)) / 10,
  }));

  const greetings = holidaysIn(i.from, i.to, i.tz).map((h) => {
    // The chair often greets on the eve of a holiday: the day before counts.
    const first = Date.parse(`${h.days[0]}T00:00:00Z`) - 86400_000;
    const last = Date.parse(`${h.days.at(-1)}T00:00:00Z`) + 86400_000;
    const mine = casts.filter((b) => {
      const p = localParts(b.startAt, i.tz);
      const day = Date.UTC(p.year, p.month - 1, p.day);
      return b.category === 'greeting' && day >= first && day < last;
    });
    const hamlets = new Set(mine.flatMap((b) => [...b.zones.keys()]));
    return { holiday: h.id, name: h.name, from: h.days[0], to: h.days.at(-1)!, aired: mine.length > 0, hamlets: hamlets.size, titles: [...new Set(mine.map((b) => b.title))] };
  });

  const thematic = [...localMonths(i.from, i.to, i.tz)].map((month) => {
    const count = casts.filter((b) => b.category === 'law' && monthOf(b.startAt, i.tz) === month).length;
    return { month, count, target: i.thematicTarget, met: count >= i.thematicTarget };
  });

  return {
    from: i.from, to: i.to,
    totals: {
      broadcasts: casts.length, minutes: minutes(casts.reduce((n, b) => n + b.ms, 0)),
      hamletBroadcasts: casts.reduce((n, b) => n + b.zones.size, 0),
      expectedPlays: settled.length, playedPlays: played, proofOfPlayPercent: settled.length ? Math.round((1000 * played) / settled.length) / 10 : null,
      missedPlays: i.plays.filter((p) => p.status === 'missed').length, emergencies: i.emergencies.length,
    },
    byCategory, byHamlet, byMonth, missedByReason, availability, greetings, thematic, emergencies: i.emergencies,
  };
}
export type Summary = ReturnType<typeof summarize>;

function* localMonths(from: number, to: number, tz: string): Generator<string> {
  let last = '';
  for (const d of localDates(from, to - 1, tz)) {
    const m = `${d.year}-${String(d.month).padStart(2, '0')}`;
    if (m !== last) yield (last = m);
  }
}
