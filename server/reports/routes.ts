import { Hono } from 'hono';
import { z } from 'zod';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { strictInstant, toZonedIso } from '../domain/time.js';
import { ApiError } from '../http/errors.js';
import { isoInstant, validate } from '../http/validate.js';
import { toCsv, toXlsx } from './export.js';
import type { ReportsService } from './service.js';
import { reportTables } from './tables.js';

const period = z.object({ from: isoInstant, to: isoInstant });
const MAX_PERIOD_MS = 3 * 366 * 86400_000;

/** The period of a request: `to` after `from`, at most three years. */
export function periodOf(q: { from: string; to: string }) {
  const from = strictInstant(q.from)!;
  const to = strictInstant(q.to)!;
  if (to <= from) throw new ApiError(400, 'invalid_range', '`to` must be after `from`');
  if (to - from > MAX_PERIOD_MS) throw new ApiError(400, 'range_too_long', 'A report covers at most three years');
  return { from, to };
}

/** `/api/reports`: the review-period summary as JSON, CSV and an Excel workbook (the same figures). */
export function reportsRoutes(reports: ReportsService, communeName: string, timeZone: string) {
  const title = (from: number, to: number) => `${communeName}: báo cáo hoạt động truyền thanh ${toZonedIso(from, timeZone).slice(0, 10)} – ${toZonedIso(to - 1, timeZone).slice(0, 10)}`;
  const fileName = (from: number, to: number, ext: string) => `bao-cao-${toZonedIso(from, timeZone).slice(0, 10)}-${toZonedIso(to - 1, timeZone).slice(0, 10)}.${ext}`;
  return new Hono<AuthEnv>()
    .use(allow('reports.view'))
    .get('/summary', validate('query', period), (c) => {
      const { from, to } = periodOf(c.req.valid('query'));
      const summary = reports.summary(from, to);
      return c.json({ summary, tables: reportTables(summary, timeZone) }, 200);
    })
    .get('/summary.csv', validate('query', period), (c) => {
      const { from, to } = periodOf(c.req.valid('query'));
      return c.body(toCsv(title(from, to), reportTables(reports.summary(from, to), timeZone)), 200, {
        'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName(from, to, 'csv')}"`,
      });
    })
    .get('/summary.xlsx', validate('query', period), async (c) => {
      const { from, to } = periodOf(c.req.valid('query'));
      const body = await toXlsx(title(from, to), reportTables(reports.summary(from, to), timeZone));
      return c.body(new Uint8Array(body), 200, {
        'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Content-Disposition': `attachment; filename="${fileName(from, to, 'xlsx')}"`,
      });
    })
    .put('/settings', allow('broadcasts.settings'), validate('json', z.object({ thematicTarget: z.number().int().min(0).max(100) })), (c) => {
      reports.setThematicTarget(c.req.valid('json').thematicTarget);
      return c.json({ thematicTarget: reports.thematicTarget() }, 200);
    });
}
