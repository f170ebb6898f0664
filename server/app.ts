import { Hono } from 'hono';
import type { ApiCall } from '../web/context.js';
import { notFoundPage, webRoutes } from '../web/routes.js';
import { auditRoutes } from './audit/routes.js';
import type { AuditLog } from './audit/service.js';
import { requireUser, sessionUser, type AuthEnv } from './auth/middleware.js';
import { can } from './auth/permissions.js';
import { authRoutes, meRoutes, usersRoutes } from './auth/routes.js';
import type { AuthService } from './auth/service.js';
import { broadcastsRoutes, type BroadcastContent } from './broadcasts/routes.js';
import type { BroadcastsService } from './broadcasts/service.js';
import { capInboxRoutes, capRoutes } from './broadcasts/cap-routes.js';
import type { CapService } from './broadcasts/cap-service.js';
import type { Bus } from './bus.js';
import type { Incidents } from './plays/incidents.js';
import { incidentsRoutes, playsRoutes, type Names } from './plays/routes.js';
import type { PlaysService } from './plays/service.js';
import { reportsRoutes } from './reports/routes.js';
import type { ReportsService } from './reports/service.js';
import { commandsRoutes } from './commands/routes.js';
import type { CommandsService } from './commands/service.js';
import { gatewayRoutes } from './devices/gateway-routes.js';
import { devicesRoutes, type ProvisioningFor } from './devices/routes.js';
import type { DevicesService } from './devices/service.js';
import { listenRoutes, openToOtherSites, type ListenRoutesDeps } from './listen/routes.js';
import type { ListenService } from './listen/service.js';
import { liveRoutes } from './live/routes.js';
import { csrfGuard } from './http/csrf.js';
import { errorBody } from './http/errors.js';
import { bodyLimits, securityHeaders } from './http/guards.js';
import { errorHandler } from './http/on-error.js';
import { clientInfo } from './http/request.js';
import type { Logger } from './logger.js';
import type { ManifestsService } from './manifests/service.js';
import { mediaRoutes } from './media/routes.js';
import { httpMetrics, metricsRoutes } from './metrics/routes.js';
import type { Metrics } from './metrics/service.js';
import { mqttHookRoutes, type MqttHookDeps } from './mqtt/hooks.js';
import type { MediaStore } from './media/store.js';
import { devicePlaylogsRoutes, playlogsRoutes } from './playlogs/routes.js';
import type { PlaylogsService } from './playlogs/service.js';
import { jobsRoutes } from './jobs/routes.js';
import type { Jobs } from './jobs/service.js';
import { programsRoutes } from './programs/routes.js';
import type { ProgramsService } from './programs/service.js';
import { zoneCalendar } from './schedules/ics.js';
import type { TtsProvider } from './tts/provider.js';
import { ttsRoutes } from './tts/routes.js';
import { occurrencesRoutes, schedulesRoutes } from './schedules/routes.js';
import type { SchedulesService } from './schedules/service.js';
import { zonesRoutes } from './zones/routes.js';
import type { ZonesService } from './zones/service.js';

export interface AppDeps {
  log: Logger;
  bus: Bus;
  now: () => number;
  communeName: string;
  timeZone: string;
  sessionTtlMs: number;
  horizonMs: number;
  /** mqtt and db decide `ok`; anything else (the ffmpeg in use, the disk) is information. */
  health: () => { mqtt: string; db: string; ffmpeg?: string } & Record<string, unknown>;
  /** Behind a reverse proxy: the client's address and scheme come from X-Forwarded-For/-Proto. */
  trustProxy: boolean;
  maxJsonBodyBytes: number;
  provisioning: ProvisioningFor;
  auth: AuthService;
  zones: ZonesService;
  devices: DevicesService;
  media: MediaStore;
  programs: ProgramsService;
  schedules: SchedulesService;
  manifests: ManifestsService;
  playlogs: PlaylogsService;
  mqttHooks: MqttHookDeps;
  commands: CommandsService;
  jobs: Jobs;
  audit: AuditLog;
  tts: TtsProvider;
  broadcasts: BroadcastsService;
  broadcastContent: BroadcastContent;
  plays: PlaysService;
  incidents: Incidents;
  names: Names;
  reports: ReportsService;
  cap: CapService;
  /** A system posting CAP alerts (the province's hub) authenticates with this bearer token. */
  capInboundToken?: string;
  listen: ListenService;
  /** The public "nghe lại" routes' settings (base URL, rate). */
  listenOptions: Pick<ListenRoutesDeps, 'baseUrl' | 'ratePerMinute'>;
  metrics: Metrics;
  /** GET /metrics needs this bearer token; without one it answers loopback clients only. */
  metricsToken?: string;
  /** Map tiles for the panel's gateway map (`{z}/{x}/{y}`), or null for markers alone. */
  mapTileUrl?: string | null;
  /** EMERGENCY_EXPIRY_MINUTES: how long a gateway that reconnects still gets an emergency. */
  emergencyExpiryMinutes: number;
  /** MAX_SPEECH_CHARS: the longest text spoken in one request. */
  maxSpeechChars: number;
}

/** Where map tiles come from, for the Content-Security-Policy (`{s}` subdomains: any subdomain). */
const tileOrigin = (template: string) => {
  const u = new URL(template.replace('{s}.', 'a.').replace(/[{}]/g, ''));
  return template.includes('{s}.') ? `${u.protocol}//*.${u.host.slice(2)}` : u.origin;
};

/** Routes that take audio: their own limit (MAX_UPLOAD_MB) applies instead of the body limit. */
const isUpload = (method: string, path: string) => method === 'POST' && /^\/api\/(programs(\/[^/]+\/versions)?|broadcasts\/recordings)$/.test(path);

/** The HTTP side: every feature's routes mounted, with one error shape. Who may do what is in auth/permissions.ts. */
export function createApp(d: AppDeps) {
  const api = new Hono<AuthEnv>()
    .route('/auth', authRoutes(d.auth, d.sessionTtlMs))
    .route('/me', meRoutes(d.auth, d.audit))
    .route('/cap', capInboxRoutes(d.cap, d.auth, d.audit, d.capInboundToken))
    .use('*', requireUser(d.auth))
    .route('/users', usersRoutes(d.auth, d.audit))
    .route('/zones', zonesRoutes(d.zones, (zoneId) => {
      const now = d.now();
      const titles = new Map(d.programs.list().map((p) => [p.id, p.title]));
      return zoneCalendar(d.zones.get(zoneId), d.manifests.preview({ from: now, to: now + d.horizonMs }, zoneId), titles, now);
    }, d.audit))
    .route('/devices', devicesRoutes(d.devices, d.provisioning, d.audit))
    .route('/devices', devicePlaylogsRoutes(d.playlogs, d.timeZone, (id) => void d.devices.get(id)))
    .route('/devices', commandsRoutes(d.commands, (id) => void d.devices.get(id), (id) => d.programs.get(id), d.audit))
    .route('/programs', programsRoutes(d.programs, d.media, d.maxSpeechChars))
    .route('/tts', ttsRoutes(d.tts, d.maxSpeechChars))
    .route('/jobs', jobsRoutes(d.jobs))
    .route('/schedules', schedulesRoutes(d.schedules, d.timeZone, d.audit))
    .route('/occurrences', occurrencesRoutes(d.manifests.preview, d.timeZone, d.now, d.horizonMs))
    .route('/playlogs', playlogsRoutes(d.playlogs, d.timeZone))
    .route('/audit', auditRoutes(d.audit))
    .route('/broadcasts', broadcastsRoutes(d.broadcasts, d.broadcastContent, d.audit, d.media))
    .route('/plays', playsRoutes(d.plays, d.names, d.timeZone))
    .route('/incidents', incidentsRoutes(d.incidents, d.names, d.timeZone))
    .route('/reports', reportsRoutes(d.reports, d.communeName, d.timeZone))
    .route('/cap', capRoutes(d.cap, d.audit))
    .route('/events', liveRoutes(d.bus, (id) => d.devices.get(id)));

  const canListen = (c: Parameters<typeof sessionUser>[1]) => {
    const user = sessionUser(d.auth, c);
    return !!user && can(user.role, 'media.listen');
  };
  // The panel acts through the API, as the user who asked: the API's checks and audit log are the only ones.
  let self: { fetch: (req: Request, env: unknown) => Response | Promise<Response> } | undefined;
  const panelApi: ApiCall = async (c, path, init = {}) => {
    const headers = new Headers({ cookie: c.req.header('cookie') ?? '' });
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    const res = await self!.fetch(new Request(new URL(path, c.req.url), {
      method: init.method ?? 'GET', headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.form,
    }), c.env);
    const body = res.status === 204 ? {} : await res.json().catch(() => ({}));
    return (res.ok
      ? { ok: true, status: res.status, body }
      : { ok: false, status: res.status, error: { status: res.status, ...(body.error ?? { code: 'http_error' }) } }) as never;
  };
  const app = new Hono()
    .use('*', httpMetrics(d.metrics))
    .use('*', clientInfo(d.trustProxy))
    .use('/nghe-lai/*', openToOtherSites())
    .use('*', securityHeaders(d.mapTileUrl ? [tileOrigin(d.mapTileUrl)] : []))
    .use('*', bodyLimits(d.maxJsonBodyBytes, isUpload))
    .use('*', csrfGuard())
    .get('/healthz', (c) => {
      const h = d.health();
      const ok = h.mqtt === 'connected' && h.db === 'ok';
      return c.json({ ok, ...h }, ok ? 200 : 503);
    })
    .route('/api', api)
    .route('/mqtt', mqttHookRoutes(d.mqttHooks))
    .route('/device/v1', gatewayRoutes(d.devices.verifySecret, d.provisioning, d.now))
    .route('/media', mediaRoutes(d.media, canListen, d.devices.verifySecret))
    .route('/metrics', metricsRoutes(d.metrics, d.metricsToken))
    // Public, no login: residents listen again to what an officer made public.
    .route('/nghe-lai', listenRoutes(d.listen, { ...d.listenOptions, communeName: d.communeName, timeZone: d.timeZone, now: d.now }))
    .route('/', webRoutes({
      ...d, maxUploadMb: Math.round(d.media.maxUploadBytes / 1048576), mapTileUrl: d.mapTileUrl ?? null,
      emergencyExpiryMinutes: d.emergencyExpiryMinutes,
      api: panelApi,
    }));
  self = app;

  app.notFound((c) => (!c.req.path.startsWith('/api/') && (c.req.header('accept') ?? '').includes('text/html')
    ? c.html(notFoundPage(), 404)
    : c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404)));
  app.onError(errorHandler(d.log));
  return app;
}
