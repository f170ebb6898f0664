import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

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
});

export type Env = z.infer<typeof schema>;

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
}

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
