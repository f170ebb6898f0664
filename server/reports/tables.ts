import { localParts } from '../domain/time.js';
import type { Summary } from './summary.js';
import { RISK_LABELS } from '../broadcasts/risk-levels.js';

export type CellType = 'text' | 'number' | 'date' | 'datetime' | 'percent' | 'boolean';
export interface Column { key: string; header: string; type: CellType }
export interface Table { sheet: string; title: string; columns: Column[]; rows: Record<string, string | number | boolean | null>[] }

const col = (key: string, header: string, type: CellType = 'text'): Column => ({ key, header, type });

/** A local date-time as `YYYY-MM-DD HH:MM` in the commune, the form every export starts from. */
const local = (ms: number, tz: string) => {
  const p = localParts(ms, tz);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
};

/**
 * The report's tables, Vietnamese headers, one place: the page, the CSV and the workbook are drawn
 * from these rows, so their numbers cannot differ.
 */
export function reportTables(s: Summary, tz: string): Table[] {
  return [
    {
      sheet: 'Tong hop', title: 'Tổng hợp', columns: [col('measure', 'Chỉ tiêu'), col('value', 'Giá trị', 'number')],
      rows: [
        { measure: 'Số lượt phát (chương trình phát một lần, một hay nhiều thôn)', value: s.totals.broadcasts },
        { measure: 'Số phút phát', value: s.totals.minutes },
        { measure: 'Số thôn-lượt phát', value: s.totals.hamletBroadcasts },
        { measure: 'Lượt phát theo kế hoạch trên các cụm loa', value: s.totals.expectedPlays },
        { measure: 'Lượt đã phát', value: s.totals.playedPlays },
        { measure: 'Tỉ lệ phát đúng kế hoạch (%)', value: s.totals.proofOfPlayPercent },
        { measure: 'Lượt bị lỡ', value: s.totals.missedPlays },
        { measure: 'Số lần phát khẩn cấp', value: s.totals.emergencies },
      ],
    },
    {
      sheet: 'Theo loai', title: 'Theo loại chương trình', columns: [col('label', 'Loại'), col('broadcasts', 'Số lượt phát', 'number'), col('minutes', 'Số phút', 'number')],
      rows: s.byCategory.map((r) => ({ label: r.label, broadcasts: r.broadcasts, minutes: r.minutes })),
    },
    {
      sheet: 'Theo thon', title: 'Theo thôn, tổ dân phố',
      columns: [col('hamlet', 'Thôn'), col('broadcasts', 'Số lượt phát', 'number'), col('minutes', 'Số phút', 'number'),
        col('expectedPlays', 'Lượt theo kế hoạch', 'number'), col('playedPlays', 'Lượt đã phát', 'number'), col('proofOfPlayPercent', 'Tỉ lệ (%)', 'percent')],
      rows: s.byHamlet.map((r) => ({ hamlet: r.hamlet, broadcasts: r.broadcasts, minutes: r.minutes, expectedPlays: r.expectedPlays, playedPlays: r.playedPlays, proofOfPlayPercent: r.proofOfPlayPercent })),
    },
    {
      sheet: 'Theo thang', title: 'Theo tháng và loại', columns: [col('month', 'Tháng'), col('label', 'Loại'), col('broadcasts', 'Số lượt phát', 'number'), col('minutes', 'Số phút', 'number')],
      rows: s.byMonth.map((r) => ({ month: r.month, label: r.label, broadcasts: r.broadcasts, minutes: r.minutes })),
    },
    {
      sheet: 'Lo phat', title: 'Lượt bị lỡ theo nguyên nhân', columns: [col('label', 'Nguyên nhân'), col('count', 'Số lượt', 'number')],
      rows: s.missedByReason.map((r) => ({ label: r.label, count: r.count })),
    },
    {
      sheet: 'Hoat dong', title: 'Thời gian hoạt động của cụm loa', columns: [col('hamlet', 'Thôn'), col('gateway', 'Cụm loa'), col('onlinePercent', 'Trực tuyến (%)', 'percent')],
      rows: s.availability.map((r) => ({ hamlet: r.hamlet, gateway: r.gateway, onlinePercent: r.onlinePercent })),
    },
    {
      sheet: 'Loi chao', title: 'Lời chào của Chủ tịch dịp lễ, Tết',
      columns: [col('name', 'Dịp'), col('from', 'Từ ngày', 'date'), col('to', 'Đến ngày', 'date'), col('aired', 'Đã phát', 'boolean'), col('hamlets', 'Số thôn', 'number')],
      rows: s.greetings.map((g) => ({ name: g.name, from: g.from, to: g.to, aired: g.aired, hamlets: g.hamlets })),
    },
    {
      sheet: 'Chuyen de', title: 'Chuyên đề phổ biến pháp luật theo tháng',
      columns: [col('month', 'Tháng'), col('count', 'Số lượt', 'number'), col('target', 'Chỉ tiêu', 'number'), col('met', 'Đạt', 'boolean')],
      rows: s.thematic.map((r) => ({ month: r.month, count: r.count, target: r.target, met: r.met })),
    },
    {
      sheet: 'Khan cap', title: 'Phát khẩn cấp',
      columns: [col('firedAt', 'Thời điểm', 'datetime'), col('title', 'Nội dung'), col('risk', 'Cấp độ rủi ro'), col('hamlets', 'Số thôn', 'number'),
        col('gateways', 'Số cụm loa', 'number'), col('reached', 'Cụm loa đã phát', 'number')],
      rows: s.emergencies.map((e) => ({
        firedAt: local(e.firedAt, tz), title: e.title, risk: e.riskLevel ? RISK_LABELS[e.riskLevel as 1] : '', hamlets: e.hamlets, gateways: e.gateways, reached: e.reached,
      })),
    },
  ];
}
