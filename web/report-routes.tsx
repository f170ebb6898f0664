import { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import { sessionUser } from '../server/auth/middleware.js';
import { actionsOf, can } from '../server/auth/permissions.js';
import type { AuthService } from '../server/auth/service.js';
import { localToUtc, toZonedIso } from '../server/domain/time.js';
import { presetPeriod, type Preset } from '../server/reports/periods.js';
import type { ReportsService } from '../server/reports/service.js';
import { reportTables } from '../server/reports/tables.js';
import { ReportPage, ReportPrint, type ReportPageData } from './views/report.js';

const day = z.string().regex(/^\d{4}-\d\d-\d\d$/);
const query = z.object({ preset: z.enum(['month', 'quarter', 'review-year']).optional(), from: day.optional(), to: day.optional() });

/** `/bao-cao`: the report page and its printable twin; the period from a preset or two local dates (inclusive). */
export function reportPages(auth: AuthService, reports: ReportsService, communeName: string, timeZone: string, now: () => number) {
  const localDay = (iso: string) => localToUtc({ year: +iso.slice(0, 4), month: +iso.slice(5, 7), day: +iso.slice(8, 10) }, 0, 0, timeZone);
  const data = (raw: Record<string, string>, user: ReportPageData['user'] & { role: Parameters<typeof actionsOf>[0] }): ReportPageData => {
    const q = query.safeParse(raw);
    const chosen = q.success ? q.data : {};
    let preset: Preset | null = chosen.preset ?? null;
    let period = presetPeriod(preset ?? 'month', now(), timeZone);
    if (!chosen.preset && chosen.from && chosen.to && chosen.to >= chosen.from) period = { from: localDay(chosen.from), to: localDay(chosen.to) + 86400_000 };
    else preset ??= 'month';
    const summary = reports.summary(period.from, period.to);
    const fromIso = toZonedIso(period.from, timeZone);
    const toIso = toZonedIso(period.to, timeZone);
    return {
      communeName, user, can: actionsOf(user.role), preset: chosen.preset ?? (chosen.from ? null : preset), summary, tables: reportTables(summary, timeZone),
      fromDate: fromIso.slice(0, 10), toDate: toZonedIso(period.to - 1, timeZone).slice(0, 10),
      query: `from=${encodeURIComponent(fromIso)}&to=${encodeURIComponent(toIso)}`,
    };
  };
  return new Hono()
    .get('/', (c) => {
      const user = sessionUser(auth, c);
      if (!user) return c.redirect('/login', 303);
      if (!can(user.role, 'reports.view')) return c.redirect('/', 303);
      return c.html(html`<!doctype html>${<ReportPage d={data(c.req.query(), user)} />}`);
    })
    .get('/in', (c) => {
      const user = sessionUser(auth, c);
      if (!user) return c.redirect('/login', 303);
      if (!can(user.role, 'reports.view')) return c.redirect('/', 303);
      const q = c.req.query();
      // The printable page is reached from the report with the API's instants; it takes dates too.
      const raw = q.from?.includes('T') ? { from: q.from.slice(0, 10), to: toZonedIso(Date.parse(q.to) - 1, timeZone).slice(0, 10) } : q;
      return c.html(html`<!doctype html>${<ReportPrint d={data(raw, user)} />}`);
    });
}
