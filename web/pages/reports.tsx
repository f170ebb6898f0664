import { Hono } from 'hono';
import { z } from 'zod';
import { localToUtc, toZonedIso } from '../../server/domain/time.js';
import { presetPeriod, type Preset } from '../../server/reports/periods.js';
import { reportTables } from '../../server/reports/tables.js';
import { need, type PanelDeps, type PanelEnv } from '../context.js';
import { page } from '../html.js';
import { ReportPage, ReportPrint, type ReportPageData } from '../views/report.js';

const day = z.string().regex(/^\d{4}-\d\d-\d\d$/);
const query = z.object({ preset: z.enum(['month', 'quarter', 'review-year']).optional(), from: day.optional(), to: day.optional() });

/** `/bao-cao`: the report page and its printable twin; the period from a preset or two local dates (inclusive). */
export function reportPages(d: PanelDeps) {
  const tz = d.timeZone;
  const localDay = (iso: string) => localToUtc({ year: +iso.slice(0, 4), month: +iso.slice(5, 7), day: +iso.slice(8, 10) }, 0, 0, tz);
  const data = (raw: Record<string, string>): Omit<ReportPageData, 'viewer'> => {
    const q = query.safeParse(raw);
    const chosen = q.success ? q.data : {};
    let preset: Preset | null = chosen.preset ?? null;
    let period = presetPeriod(preset ?? 'month', d.now(), tz);
    if (!chosen.preset && chosen.from && chosen.to && chosen.to >= chosen.from) period = { from: localDay(chosen.from), to: localDay(chosen.to) + 86400_000 };
    else preset ??= 'month';
    const summary = d.reports.summary(period.from, period.to);
    const fromIso = toZonedIso(period.from, tz);
    const toIso = toZonedIso(period.to, tz);
    return {
      communeName: d.communeName, preset: chosen.preset ?? (chosen.from ? null : preset), summary, tables: reportTables(summary, tz),
      fromDate: fromIso.slice(0, 10), toDate: toZonedIso(period.to - 1, tz).slice(0, 10),
      query: `from=${encodeURIComponent(fromIso)}&to=${encodeURIComponent(toIso)}`,
    };
  };
  return new Hono<PanelEnv>()
    .get('/bao-cao', need('reports.view'), (c) => c.html(page(<ReportPage d={{ ...data(c.req.query()), viewer: c.get('viewer') }} />)))
    .get('/bao-cao/in', need('reports.view'), (c) => {
      const q = c.req.query();
      // The printable page is reached from the report with the API's instants; it takes dates too.
      const raw = q.from?.includes('T') ? { from: q.from.slice(0, 10), to: toZonedIso(Date.parse(q.to) - 1, tz).slice(0, 10) } : q;
      return c.html(page(<ReportPrint d={{ ...data(raw), viewer: c.get('viewer') }} />));
    });
}
