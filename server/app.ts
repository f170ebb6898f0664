import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { webRoutes } from '../web/routes.js';
import { auditRoutes } from './audit/routes.js';
import type { AuditLog } from './audit/service.js';
import { requireRole, requireUser, sessionUser, type AuthEnv } from './auth/middleware.js';
import { authRoutes, meRoutes, usersRoutes } from './auth/routes.js';
import type { AuthService } from './auth/service.js';
import type { Bus } from './bus.js';
import { commandsRoutes } from './commands/routes.js';
import type { CommandsService } from './commands/service.js';
import { deviceRoutes } from './devices/device-routes.js';
import { devicesRoutes, type Provisioning } from './devices/routes.js';
import type { DevicesService } from './devices/service.js';
import { eventsRoutes } from './events/routes.js';
import { csrfGuard } from './http/csrf.js';
import { ApiError, errorBody } from './http/errors.js';
import type { Logger } from './logger.js';
import type { ManifestsService } from './manifests/service.js';
import { mediaRoutes } from './media/routes.js';
import { mqttHookRoutes, type MqttHookDeps } from './mqtt/hooks.js';
import type { MediaStore } from './media/store.js';
import { playlogsRoutes } from './playlogs/routes.js';
import type { PlaylogsService } from './playlogs/service.js';
import { jobsRoutes } from './jobs/routes.js';
import type { Jobs } from './jobs/service.js';
import { programsRoutes, ttsRoutes } from './programs/routes.js';
import type { ProgramsService } from './programs/service.js';
import { zoneCalendar } from './schedules/ics.js';
import type { TtsProvider } from './tts/provider.js';
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
  health: () => { mqtt: string; db: string };
  provisioning: (deviceId: string, requestUrl: string) => Provisioning;
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
}

export function createApp(d: AppDeps) {
  // Who may do what. Technicians see zones and devices only; content and schedules are for editors and
  // approvers (admin passes every requireRole); approving is the approver's alone (see programs/routes).
  const content = requireRole('editor', 'approver');
  const api = new Hono<AuthEnv>()
    .route('/auth', authRoutes(d.auth, d.sessionTtlMs))
    .route('/me', meRoutes(d.auth))
    .use('*', requireUser(d.auth))
    .route('/users', usersRoutes(d.auth))
    .route('/zones', zonesRoutes(d.zones, (zoneId) => {
      const now = d.now();
      const titles = new Map(d.programs.list().map((p) => [p.id, p.title]));
      return zoneCalendar(d.zones.get(zoneId), d.manifests.preview({ from: now, to: now + d.horizonMs }, zoneId), titles, now);
    }))
    .route('/devices', devicesRoutes(d.devices, d.provisioning))
    .route('/devices', commandsRoutes(d.commands, (id) => void d.devices.get(id), (id) => d.programs.get(id), d.audit))
    .use('/programs/*', content)
    .route('/programs', programsRoutes(d.programs, d.media))
    .use('/tts/*', content)
    .route('/tts', ttsRoutes(d.tts))
    .use('/jobs/*', content)
    .route('/jobs', jobsRoutes(d.jobs))
    .use('/schedules/*', content)
    .route('/schedules', schedulesRoutes(d.schedules, d.timeZone, d.audit))
    .use('/occurrences/*', content)
    .route('/occurrences', occurrencesRoutes(d.manifests.preview, d.timeZone, d.now, d.horizonMs))
    .use('/playlogs/*', content)
    .route('/playlogs', playlogsRoutes(d.playlogs, d.timeZone))
    .route('/audit', auditRoutes(d.audit))
    .route('/events', eventsRoutes(d.bus, (id) => d.devices.get(id)));

  const app = new Hono()
    .use('*', csrfGuard())
    .get('/healthz', (c) => {
      const h = d.health();
      const ok = h.mqtt === 'connected' && h.db === 'ok';
      return c.json({ ok, ...h }, ok ? 200 : 503);
    })
    .route('/api', api)
    .route('/mqtt', mqttHookRoutes(d.mqttHooks))
    .route('/device/v1', deviceRoutes(d.devices.verifySecret, d.provisioning, d.now))
    // Audio is content: people who handle content, and gateways; not technicians.
    .route('/media', mediaRoutes(d.media, (c) => ['admin', 'editor', 'approver'].includes(sessionUser(d.auth, c)?.role ?? ''), d.devices.verifySecret))
    .route('/', webRoutes(d.auth, (user) => ({
      communeName: d.communeName, timeZone: d.timeZone, user, zones: d.zones.list(), devices: d.devices.list(),
    }), d.sessionTtlMs, Math.round(d.media.maxUploadBytes / 1048576)));

  app.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      const res = c.json(errorBody(err.code, err.message, err.details), err.status as ContentfulStatusCode);
      const www = c.res.headers.get('WWW-Authenticate');
      if (www) res.headers.set('WWW-Authenticate', www);
      return res;
    }
    if (err instanceof HTTPException) {
      const code = /malformed json/i.test(err.message) ? 'malformed_json' : err.status === 400 ? 'bad_request' : 'http_error';
      const message = code === 'malformed_json' ? 'The request body is not valid JSON' : err.message || 'Request refused';
      return c.json(errorBody(code, message), err.status as ContentfulStatusCode);
    }
    d.log.error('unhandled error', { path: c.req.path, err: err.stack ?? String(err) });
    return c.json(errorBody('internal', 'Something went wrong on the server; it has been logged'), 500);
  });
  return app;
}
