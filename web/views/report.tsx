import type { Summary } from '../../server/reports/summary.js';
import type { Table } from '../../server/reports/tables.js';
import { Layout, type Viewer } from './layout.js';
import { AvailabilityChart, MinutesByMonthChart } from './report-charts.js';

const ddmmyyyy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const number = (v: number) => v.toLocaleString('vi-VN');

/** A cell as a person reads it: dates dd/mm/yyyy, yes/no in Vietnamese, numbers with Vietnamese separators. */
function cell(v: string | number | boolean | null, type: Table['columns'][number]['type']) {
  if (v === null || v === undefined) return '—';
  if (type === 'boolean') return v ? 'Có' : 'Không';
  if (type === 'date') return ddmmyyyy(String(v));
  if (type === 'datetime') return `${ddmmyyyy(String(v).slice(0, 10))} ${String(v).slice(11)}`;
  if (typeof v === 'number') return number(v);
  return v;
}

/** Every table of the report, drawn from the same rows as the CSV and the workbook. */
export function ReportTables({ tables }: { tables: Table[] }) {
  return (
    <>
      {tables.map((t) => (
        <section class="card report-table">
          <h2>{t.title}</h2>
          {t.rows.length === 0 ? <p class="muted">Không có dữ liệu trong kỳ.</p> : (
            <div class="table-scroll">
              <table>
                <thead><tr>{t.columns.map((c) => <th scope="col">{c.header}</th>)}</tr></thead>
                <tbody>
                  {t.rows.map((r) => <tr>{t.columns.map((c) => <td class={c.type === 'text' ? '' : 'num'}>{cell(r[c.key], c.type)}</td>)}</tr>)}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </>
  );
}

export interface ReportPageData {
  communeName: string;
  viewer: Viewer;
  /** The period as local dates (inclusive), and the query that names it. */
  fromDate: string;
  toDate: string;
  query: string;
  preset: string | null;
  summary: Summary;
  tables: Table[];
}

/** The report page: presets, a custom period, the figures, charts, and the exports. */
export function ReportPage({ d }: { d: ReportPageData }) {
  const presets = [['month', 'Tháng này'], ['quarter', 'Quý này'], ['review-year', 'Năm đánh giá 15/5–15/5']];
  return (
    <Layout title="Báo cáo" viewer={d.viewer} section="/bao-cao">
      <h1>Báo cáo hoạt động truyền thanh</h1>
      <form method="get" action="/bao-cao" class="card period">
        <fieldset>
          <legend>Kỳ báo cáo</legend>
          <div class="row wrap">
            {presets.map(([value, label]) => <a class={d.preset === value ? 'button active' : 'button'} href={`/bao-cao?preset=${value}`}>{label}</a>)}
          </div>
          <div class="row wrap">
            <label>Từ ngày <input type="date" name="from" value={d.fromDate} required /></label>
            <label>Đến ngày <input type="date" name="to" value={d.toDate} required /></label>
            <button type="submit">Xem</button>
          </div>
        </fieldset>
      </form>
      <p class="row wrap exports">
        <a class="button" href={`/api/reports/summary.xlsx?${d.query}`} download>Tải Excel (.xlsx)</a>
        <a class="button" href={`/api/reports/summary.csv?${d.query}`} download>Tải CSV</a>
        <a class="button" href={`/bao-cao/in?${d.query}`} target="_blank">Bản in (A4)</a>
      </p>
      <section class="card">
        <h2>{`${d.communeName}: ${ddmmyyyy(d.fromDate)} – ${ddmmyyyy(d.toDate)}`}</h2>
        <dl class="figures">
          <div><dt>Lượt phát</dt><dd>{number(d.summary.totals.broadcasts)}</dd></div>
          <div><dt>Số phút</dt><dd>{number(d.summary.totals.minutes)}</dd></div>
          <div><dt>Phát đúng kế hoạch</dt><dd>{d.summary.totals.proofOfPlayPercent === null ? '—' : `${number(d.summary.totals.proofOfPlayPercent)} %`}</dd></div>
          <div><dt>Lượt bị lỡ</dt><dd>{number(d.summary.totals.missedPlays)}</dd></div>
          <div><dt>Phát khẩn cấp</dt><dd>{number(d.summary.totals.emergencies)}</dd></div>
        </dl>
        <MinutesByMonthChart s={d.summary} />
        <AvailabilityChart s={d.summary} />
      </section>
      <ReportTables tables={d.tables} />
    </Layout>
  );
}

const PRINT_CSS = `
@page { size: A4; margin: 18mm 15mm; }
body.print { font-family: "Times New Roman", serif; color: #000; margin: 0 auto; max-width: 180mm; font-size: 12pt; }
body.print header { text-align: center; margin-bottom: 8mm; }
body.print .org { font-weight: bold; margin: 0; }
body.print h1 { font-size: 15pt; margin: 4mm 0 2mm; }
body.print h2 { font-size: 12.5pt; margin: 6mm 0 2mm; }
body.print table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
body.print tr { page-break-inside: avoid; }
body.print th, body.print td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
body.print td.num { text-align: right; }
body.print figure { margin: 4mm 0; page-break-inside: avoid; }
body.print svg { width: 100%; height: auto; }
body.print .legend i { display: inline-block; width: 3mm; height: 3mm; margin: 0 1mm 0 3mm; }
body.print .muted { color: #444; }
`;

/** The printable page (A4): the same figures without the panel around them. */
export function ReportPrint({ d }: { d: ReportPageData }) {
  return (
    <html lang="vi">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`Báo cáo ${ddmmyyyy(d.fromDate)} – ${ddmmyyyy(d.toDate)}`}</title>
        <style>{PRINT_CSS}</style>
      </head>
      <body class="print">
        <header>
          <p class="org">{d.communeName.toUpperCase()}</p>
          <h1>Báo cáo hoạt động hệ thống truyền thanh thông minh</h1>
          <p>{`Kỳ báo cáo: từ ${ddmmyyyy(d.fromDate)} đến ${ddmmyyyy(d.toDate)}`}</p>
        </header>
        <MinutesByMonthChart s={d.summary} />
        <AvailabilityChart s={d.summary} />
        <ReportTables tables={d.tables} />
      </body>
    </html>
  );
}
