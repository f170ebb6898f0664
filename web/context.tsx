import type { Context, MiddlewareHandler } from 'hono';
import { sessionUser } from '../server/auth/middleware.js';
import { actionsOf, can, type Action } from '../server/auth/permissions.js';
import type { AuthService, SessionUser } from '../server/auth/service.js';
import type { BroadcastsService } from '../server/broadcasts/service.js';
import type { CapService } from '../server/broadcasts/cap-service.js';
import type { Bus } from '../server/bus.js';
import type { CommandsService } from '../server/commands/service.js';
import type { DevicesService } from '../server/devices/service.js';
import type { Jobs } from '../server/jobs/service.js';
import type { PlaylogsService } from '../server/playlogs/service.js';
import type { Incidents } from '../server/plays/incidents.js';
import type { ProgramsService } from '../server/programs/service.js';
import type { ReportsService } from '../server/reports/service.js';
import type { SchedulesService } from '../server/schedules/service.js';
import type { ZonesService } from '../server/zones/service.js';
import type { ApiErrorBody } from './errors.js';
import type { Viewer } from './views/layout.js';

/** What the API answered to a request the panel made for the user: its body, or its error. */
export type ApiResult<T = Record<string, unknown>> = { ok: true; status: number; body: T } | { ok: false; status: number; error: ApiErrorBody };
export type ApiCall = <T = Record<string, unknown>>(c: Context, path: string, init?: { method?: string; json?: unknown; form?: FormData }) => Promise<ApiResult<T>>;

/**
 * What the panel reads (services, for pages) and how it acts: every change goes through the HTTP API
 * in-process (`api`), as the user, so validation, permissions and the audit log are the API's own.
 */
export interface PanelDeps {
  communeName: string;
  timeZone: string;
  now: () => number;
  sessionTtlMs: number;
  horizonMs: number;
  maxUploadMb: number;
  /** Map tiles (`{z}/{x}/{y}`), or null: the map shows markers on a blank background. */
  mapTileUrl: string | null;
  bus: Bus;
  auth: AuthService;
  zones: ZonesService;
  devices: DevicesService;
  programs: ProgramsService;
  schedules: SchedulesService;
  playlogs: PlaylogsService;
  commands: CommandsService;
  reports: ReportsService;
  incidents: Incidents;
  broadcasts: BroadcastsService;
  cap: CapService;
  /** EMERGENCY_EXPIRY_MINUTES and MAX_SPEECH_CHARS, for the emergency form. */
  emergencyExpiryMinutes: number;
  maxSpeechChars: number;
  jobs: Jobs;
  api: ApiCall;
}

export type PanelEnv = { Variables: { user: SessionUser; viewer: Viewer } };

const isHtmx = (c: Context) => c.req.header('hx-request') === 'true';

/** Pages need a session: without one, the login page (htmx requests are told to go there). */
export const panelSession = (d: PanelDeps): MiddlewareHandler<PanelEnv> => async (c, next) => {
  const user = sessionUser(d.auth, c);
  if (!user) {
    if (isHtmx(c)) return c.body(null, 200, { 'HX-Redirect': '/login' });
    return c.redirect('/login', 303);
  }
  const actions = actionsOf(user.role);
  const pending = actions.includes('programs.decide') ? d.programs.list().filter((p) => p.status === 'pending').length : undefined;
  c.set('user', user);
  // Every page says when an emergency is on air, and shows an approver the CAP alerts waiting for them.
  const emergencies = actions.includes('broadcasts.view')
    ? d.broadcasts.active().filter((b) => b.status === 'active').map((b) => ({ id: b.id, title: b.title, riskLevel: b.riskLevel })) : [];
  const capWaiting = actions.includes('broadcasts.confirm') ? d.cap.waiting().length : 0;
  c.set('viewer', { ...user, can: actions, pending, emergencies, capWaiting });
  await next();
};

/**
 * Only roles the permission table gives `action`; others get a page saying so. (Fragments that carry
 * a refusal or a form's errors answer 200: they are what htmx swaps in, and the browser logs every
 * 4xx as an error on the page's console.)
 */
export const need = (action: Action): MiddlewareHandler<PanelEnv> => async (c, next) => {
  if (!can(c.get('user').role, action)) {
    const message = 'Vai trò của bạn không được mở trang này.';
    return isHtmx(c) ? c.html(<p class="form-error" role="alert">{message}</p>, 403) : c.redirect('/', 303);
  }
  await next();
};

/** Form fields as strings (checkboxes and multi-selects as arrays with `all`). */
export async function formOf(c: Context) {
  const body = await c.req.parseBody({ all: true });
  const one = (k: string) => {
    const v = body[k];
    return (Array.isArray(v) ? v[0] : v)?.toString().trim() ?? '';
  };
  const many = (k: string) => {
    const v = body[k];
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
  };
  return { one, many, has: (k: string) => body[k] !== undefined };
}
