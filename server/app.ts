import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { webRoutes } from '../web/routes.js';
import { auditRoutes } from './audit/routes.js';
import type { AuditLog } from './audit/service.js';
import { requireUser, sessionUser, type AuthEnv } from './auth/middleware.js';
import { can } from './auth/permissions.js';
import { authRoutes, meRoutes, usersRoutes } from './auth/routes.js';
import type { AuthService } from './auth/service.js';
import type { Bus } from './bus.js';
import { commandsRoutes } from './commands/routes.js';
import type { CommandsService } from './commands/service.js';
import { gatewayRoutes } from './devices/gateway-routes.js';
import { devicesRoutes, type ProvisioningFor } from './devices/routes.js';
import type { DevicesService } from './devices/service.js';
import { liveRoutes } from './live/routes.js';
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
  /** mqtt and db decide `ok`; anything else (the ffmpeg in use) is information. */
  health: () => { mqtt: string; db: string; ffmpeg?: string };
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
  /** MAX_SPEECH_CHARS: the longest text spoken in one request. */
  maxSpeechChars: number;
}

/** The HTTP side: every feature's routes mounted, with one error shape. Who may do what is in auth/permissions.ts. */
export function createApp(d: AppDeps) {
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
    .route('/programs', programsRoutes(d.programs, d.media, d.maxSpeechChars))
    .route('/tts', ttsRoutes(d.tts, d.maxSpeechChars))
    .route('/jobs', jobsRoutes(d.jobs))
    .route('/schedules', schedulesRoutes(d.schedules, d.timeZone, d.audit))
    .route('/occurrences', occurrencesRoutes(d.manifests.preview, d.timeZone, d.now, d.horizonMs))
    .route('/playlogs', playlogsRoutes(d.playlogs, d.timeZone))
    .route('/audit', auditRoutes(d.audit))
    .route('/events', liveRoutes(d.bus, (id) => d.devices.get(id)));

  const canListen = (c: Parameters<typeof sessionUser>[1]) => {
    const user = sessionUser(d.auth, c);
    return !!user && can(user.role, 'media.listen');
  };
  const app = new Hono()
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
