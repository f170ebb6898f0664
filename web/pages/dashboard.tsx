import { Hono } from 'hono';
import { can } from '../../server/auth/permissions.js';
import type { PanelDeps, PanelEnv } from '../context.js';
import { page } from '../html.js';
import { DashboardPage } from '../views/dashboard.js';

export function dashboardPage(d: PanelDeps) {
  return new Hono<PanelEnv>().get('/', (c) => {
    const viewer = c.get('viewer');
    // The chair's first page is the decisions waiting for them.
    if (can(viewer.role, 'programs.decide')) return c.redirect('/duyet', 303);
    const incidents = can(viewer.role, 'plays.view') ? d.incidents.list({ open: true, limit: 50 }) : undefined;
    return c.html(page(<DashboardPage data={{ communeName: d.communeName, viewer, zones: d.zones.list(), devices: d.devices.list(), now: d.now(), incidents, timeZone: d.timeZone }} />));
  });
}
