import { join, resolve } from 'node:path';
import { validate as validCron } from 'node-cron';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
/** A cron expression (5 fields, or 6 with seconds) in the commune's time zone, or `off`. */
const cron = (fallback: string) => z.string().trim().default(fallback)
  .refine((s) => s === 'off' || validCron(s), { message: 'a cron expression such as "0 3 * * *", or off' });

/** Every environment variable the server reads, with its default. The README's table mirrors this. */
const schema = z.object({
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(8080),
  MQTT_PORT: port.default(1883),
  MQTT_URL: z.string().url().optional(),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  PUBLIC_MQTT_URL: z.string().optional(),
  MQTT_HOOK_TOKEN: z.string().min(16).optional(),
  DATA_DIR: z.string().default('./data'),
  MEDIA_DIR: z.string().default('./media'),
  LOALANG_ADMIN_PASSWORD: z.string().min(8, 'LOALANG_ADMIN_PASSWORD must be at least 8 characters').optional(),
  FFMPEG_PATH: z.string().optional(),
  FFPROBE_PATH: z.string().optional(),
  COMMUNE_NAME: z.string().default('Xã Loa Làng'),
  COMMUNE_TZ: z.string().default('Asia/Ho_Chi_Minh'),
  MANIFEST_HORIZON_DAYS: z.coerce.number().int().min(1).max(60).default(14),
  SESSION_TTL_HOURS: z.coerce.number().min(1).default(12),
  DEVICE_TELEMETRY_SECONDS: z.coerce.number().min(1).default(60),
  MAX_UPLOAD_MB: z.coerce.number().min(1).default(200),
  MAX_AUDIO_MINUTES: z.coerce.number().min(0.05).default(120),
  TRANSCODE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  MAX_SPEECH_CHARS: z.coerce.number().int().min(100).max(100_000).default(5000),
  TTS_PROVIDER: z.enum(['espeak', 'google']).optional(),
  GOOGLE_APPLICATION_CREDENTIALS: z.string().optional(),
  GOOGLE_TTS_ENDPOINT: z.string().regex(/^[\w.-]+(:\d+)?$/, 'host or host:port').optional(),
  GOOGLE_TTS_INSECURE: z.enum(['true', 'false']).default('false'),
  GOOGLE_TTS_VOICE: z.string().regex(/^vi-VN-/, 'a vi-VN voice, e.g. vi-VN-Standard-A').optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  MAX_JSON_BODY_KB: z.coerce.number().int().min(1).max(102_400).default(1024),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_WINDOW_MINUTES: z.coerce.number().min(1).max(1440).default(15),
  MAX_CONCURRENT_LOGINS: z.coerce.number().int().min(1).max(64).default(4),
  MQTT_AUTH_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(10),
  MAX_PLAYS_PER_DAY: z.coerce.number().int().min(1).max(1440).default(48),
  MAX_MANIFEST_ITEMS: z.coerce.number().int().min(10).max(100_000).default(2000),
  DB_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(10),
  MAP_TILE_URL: z.string().regex(/^(none|https?:\/\/\S+\{z\}\S*)$/, 'a tile URL with {z}/{x}/{y}, or none').default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
  EMERGENCY_EXPIRY_MINUTES: z.coerce.number().min(1).max(7 * 24 * 60).default(60),
  PLAY_SETTLE_GRACE_MINUTES: z.coerce.number().min(0).max(24 * 60).default(10),
  INCIDENT_WEBHOOK_URL: z.string().url().optional(),
  CAP_INBOUND_TOKEN: z.string().min(16).optional(),
  CAP_FEED_URL: z.string().url().optional(),
  CAP_POLL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(60),
  PUBLIC_BASE_URL: z.string().url().optional(),
  PUBLIC_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  CRON_MANIFESTS_DAILY: cron('1 0 * * *'),
  CRON_MANIFESTS_SAFETY: cron('17 * * * *'),
  CRON_SETTLE: cron('*/5 * * * *'),
  CRON_SESSIONS: cron('7 * * * *'),
  CRON_RETENTION: cron('30 2 * * *'),
  CRON_BACKUP: cron('0 3 * * *'),
  RETENTION_YEARS: z.coerce.number().int().min(1).max(100).default(5),
  BACKUP_DIR: z.string().optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(14),
}).superRefine((e, ctx) => {
  // The EMQX hooks answer who may connect: with an external broker they are open to the network, so
  // they must be behind a token (and the server refuses to start without one).
  if (e.MQTT_URL && !e.MQTT_HOOK_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['MQTT_HOOK_TOKEN'], message: 'MQTT_HOOK_TOKEN (16+ characters) is required with MQTT_URL: the /mqtt/auth and /mqtt/acl hooks must not be open' });
  }
});

export type Env = z.infer<typeof schema>;

/** The housekeeping jobs and their schedules; null when switched off. */
export const HOUSEKEEPING_JOBS = ['manifests-daily', 'manifests-safety', 'settle', 'sessions', 'retention', 'backup'] as const;
export type HousekeepingJobName = (typeof HOUSEKEEPING_JOBS)[number];

export interface Config {
  host: string;
  port: number;
  mqttPort: number;
  /** External broker; when unset the embedded aedes broker runs. */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** When set, POST /mqtt/auth and /mqtt/acl require `Authorization: Bearer <token>`. */
  mqttHookToken?: string;
  /** Broker URL handed to devices in their provisioning data. */
  publicMqttUrl?: string;
  dataDir: string;
  mediaDir: string;
  adminPassword?: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  communeName: string;
  timeZone: string;
  horizonDays: number;
  sessionTtlMs: number;
  maxUploadBytes: number;
  maxAudioMs: number;
  transcodeConcurrency: number;
  /** Longest text (characters) spoken in one request; longer is refused before any work. */
  maxSpeechChars: number;
  /** Google when asked for, or when Google credentials are configured; else the offline espeak-ng. */
  tts: { provider: 'espeak' | 'google'; googleEndpoint?: string; googleInsecure: boolean; googleVoice?: string };
  /** The telemetry interval gateways use; three missed intervals mark a device offline. */
  deviceTelemetryMs: number;
  logLevel: Env['LOG_LEVEL'];
  /** Behind a reverse proxy: the client is the last address in X-Forwarded-For, HTTPS from X-Forwarded-Proto. */
  trustProxy: boolean;
  maxJsonBodyBytes: number;
  login: { maxFailures: number; windowMs: number; maxConcurrent: number };
  mqttAuthMaxFailures: number;
  maxPlaysPerDay: number;
  maxManifestItems: number;
  dbBusyTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** How long a gateway that reconnects still gets an emergency broadcast, unless it says. */
  emergencyExpiryMs: number;
  /** How long after a play should have ended it is settled against what the gateway reported. */
  playSettleGraceMs: number;
  /** Where missed-play incidents are POSTed (JSON, docs/operations.md), when set. */
  incidentWebhookUrl?: string;
  cap: { inboundToken?: string; feedUrl?: string; pollMs: number };
  /** The public "nghe lại" page and feed: absolute URLs in the feed start with `baseUrl` (else the request's). */
  listen: { baseUrl?: string; ratePerMinute: number };
  /** When set, GET /metrics needs `Authorization: Bearer <token>`; else only loopback clients get it. */
  metricsToken?: string;
  housekeeping: {
    /** Cron expressions in the commune's time zone (`timeZone`); null: the job does not run. */
    schedules: Record<HousekeepingJobName, string | null>;
    retentionYears: number;
    backupDir: string;
    backupKeep: number;
  };
  /** Tiles of the panel's gateway map; null: markers on a blank background. */
  mapTileUrl: string | null;
}

const on = (cron: string) => (cron === 'off' ? null : cron);

export function parseConfig(env: Record<string, string | undefined>): Config {
  const e = schema.parse(env);
  return {
    host: e.HOST,
    port: e.PORT,
    mqttPort: e.MQTT_PORT,
    mqttUrl: e.MQTT_URL,
    mqttUsername: e.MQTT_USERNAME,
    mqttPassword: e.MQTT_PASSWORD,
    publicMqttUrl: e.PUBLIC_MQTT_URL,
    mqttHookToken: e.MQTT_HOOK_TOKEN,
    dataDir: resolve(e.DATA_DIR),
    mediaDir: resolve(e.MEDIA_DIR),
    adminPassword: e.LOALANG_ADMIN_PASSWORD,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    communeName: e.COMMUNE_NAME,
    timeZone: e.COMMUNE_TZ,
    horizonDays: e.MANIFEST_HORIZON_DAYS,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
    maxAudioMs: e.MAX_AUDIO_MINUTES * 60_000,
    transcodeConcurrency: e.TRANSCODE_CONCURRENCY,
    maxSpeechChars: e.MAX_SPEECH_CHARS,
    tts: {
      provider: e.TTS_PROVIDER ?? (e.GOOGLE_APPLICATION_CREDENTIALS ? 'google' : 'espeak'),
      googleEndpoint: e.GOOGLE_TTS_ENDPOINT,
      googleInsecure: e.GOOGLE_TTS_INSECURE === 'true',
      googleVoice: e.GOOGLE_TTS_VOICE,
    },
    deviceTelemetryMs: e.DEVICE_TELEMETRY_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === 'true',
    maxJsonBodyBytes: e.MAX_JSON_BODY_KB * 1024,
    login: { maxFailures: e.LOGIN_MAX_FAILURES, windowMs: e.LOGIN_WINDOW_MINUTES * 60_000, maxConcurrent: e.MAX_CONCURRENT_LOGINS },
    mqttAuthMaxFailures: e.MQTT_AUTH_MAX_FAILURES,
    maxPlaysPerDay: e.MAX_PLAYS_PER_DAY,
    maxManifestItems: e.MAX_MANIFEST_ITEMS,
    dbBusyTimeoutMs: e.DB_BUSY_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    emergencyExpiryMs: e.EMERGENCY_EXPIRY_MINUTES * 60_000,
    playSettleGraceMs: e.PLAY_SETTLE_GRACE_MINUTES * 60_000,
    incidentWebhookUrl: e.INCIDENT_WEBHOOK_URL,
    cap: { inboundToken: e.CAP_INBOUND_TOKEN, feedUrl: e.CAP_FEED_URL, pollMs: e.CAP_POLL_SECONDS * 1000 },
    listen: { baseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''), ratePerMinute: e.PUBLIC_RATE_PER_MINUTE },
    metricsToken: e.METRICS_TOKEN,
    housekeeping: {
      schedules: {
        'manifests-daily': on(e.CRON_MANIFESTS_DAILY),
        'manifests-safety': on(e.CRON_MANIFESTS_SAFETY),
        settle: on(e.CRON_SETTLE),
        sessions: on(e.CRON_SESSIONS),
        retention: on(e.CRON_RETENTION),
        backup: on(e.CRON_BACKUP),
      },
      retentionYears: e.RETENTION_YEARS,
      backupDir: resolve(e.BACKUP_DIR ?? join(e.DATA_DIR, 'backups')),
      backupKeep: e.BACKUP_KEEP,
    },
    mapTileUrl: e.MAP_TILE_URL === 'none' ? null : e.MAP_TILE_URL,
  };
}

/** Parses the environment once; prints every problem and exits on a bad one. */
export function loadConfigOrExit(env = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof z.ZodError) {
      for (const issue of err.issues) console.error(`config: ${issue.path.join('.')}: ${issue.message}`);
      process.exit(2);
    }
    throw err;
  }
}
