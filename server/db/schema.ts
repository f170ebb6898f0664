import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { PLAY_RESULTS, PRIORITIES } from '../../devices/protocol/index.js';
import { ROLES } from '../auth/permissions.js';
import { CATEGORIES } from '../domain/categories.js';

const createdAt = () => integer('created_at').notNull();

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  displayName: text('display_name'),
  role: text('role', { enum: ROLES }).notNull(),
  passwordHash: text('password_hash').notNull(),
  /** A disabled user cannot log in; their sessions ended when it was disabled. */
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: integer('updated_at'),
});

export const sessions = sqliteTable('sessions', {
  /** sha256 of the cookie token: a stolen database does not yield live sessions. */
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: integer('expires_at').notNull(),
  createdAt: createdAt(),
});

export const zones = sqliteTable('zones', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  quietStart: text('quiet_start').notNull().default('22:00'),
  quietEnd: text('quiet_end').notNull().default('05:30'),
  createdAt: createdAt(),
});

export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    zoneId: text('zone_id').notNull().references(() => zones.id),
    secretHash: text('secret_hash').notNull(),
    /** The same secret as Mosquitto's password file wants it (PBKDF2-SHA512, `$7$…`), for external brokers. */
    mqttPasswordHash: text('mqtt_password_hash'),
    createdAt: createdAt(),
    online: integer('online', { mode: 'boolean' }).notNull().default(false),
    session: integer('session').notNull().default(0),
    agentVersion: text('agent_version'),
    lastSeenAt: integer('last_seen_at'),
    appliedVersion: integer('applied_version').notNull().default(0),
    /** When the device first fell behind the published manifest; null while in sync. */
    lagSince: integer('lag_since'),
    telemetry: text('telemetry', { mode: 'json' }),
    playing: text('playing', { mode: 'json' }),
    /**
     * A manifest version the device reported that the server never published (a restored backup, or
     * a device that lies): the applied version is clamped, this keeps what it said, for the flag.
     */
    reportedVersion: integer('reported_version'),
    /** Where the gateway stands, for the map and for CAP polygon alerts. */
    lat: real('lat'),
    lon: real('lon'),
  },
  (t) => [index('devices_zone').on(t.zoneId)],
);

export const assets = sqliteTable('assets', {
  sha256: text('sha256').primaryKey(),
  bytes: integer('bytes').notNull(),
  durationMs: integer('duration_ms').notNull(),
  loudnessLufs: real('loudness_lufs').notNull(),
  truePeakDb: real('true_peak_db').notNull(),
  /** The MP3 64 kbit/s rendition (`assets/{sha256}.mp3`) for old gateways and listening in the browser. */
  mp3Bytes: integer('mp3_bytes'),
  /** Up to 1000 peak levels (0–100) across the whole asset, for the panel's waveform. */
  peaks: text('peaks', { mode: 'json' }).$type<number[]>(),
  /** Leading and trailing silence cut from the source, in ms. */
  trimmedMs: integer('trimmed_ms'),
  createdAt: createdAt(),
});

export const programs = sqliteTable('programs', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  category: text('category', { enum: CATEGORIES }).notNull(),
  /** The review state of the newest version. */
  status: text('status', { enum: ['draft', 'pending', 'approved', 'rejected'] }).notNull(),
  /** The newest version's asset. */
  assetSha256: text('asset_sha256').notNull().references(() => assets.sha256),
  /** What airs: the approved version and its asset; null until a version is approved. */
  airingSha256: text('airing_sha256').references(() => assets.sha256),
  airingVersion: integer('airing_version'),
  latestVersion: integer('latest_version').notNull().default(1),
  originalName: text('original_name'),
  createdBy: text('created_by').references(() => users.id),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

export const programVersions = sqliteTable(
  'program_versions',
  {
    id: text('id').primaryKey(),
    programId: text('program_id').notNull().references(() => programs.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    assetSha256: text('asset_sha256').notNull().references(() => assets.sha256),
    status: text('status', { enum: ['draft', 'pending', 'approved', 'rejected'] }).notNull(),
    source: text('source', { enum: ['upload', 'recording', 'tts'] }).notNull(),
    originalName: text('original_name'),
    /** For text-to-speech: the text as written and the provider/voice that spoke it. */
    text: text('text'),
    voice: text('voice'),
    createdBy: text('created_by').references(() => users.id),
    createdAt: createdAt(),
    submittedBy: text('submitted_by').references(() => users.id),
    submittedAt: integer('submitted_at'),
    decidedBy: text('decided_by').references(() => users.id),
    decidedAt: integer('decided_at'),
    reason: text('reason'),
  },
  (t) => [uniqueIndex('program_versions_program_version').on(t.programId, t.version)],
);

/** Who did what, when, from where: submissions, approvals, rejections, schedule changes, broadcasts. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** A user id, or `device:{id}` for what gateways report. */
    actor: text('actor').notNull(),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    address: text('address'),
  },
  (t) => [index('audit_at').on(t.at), index('audit_target').on(t.targetType, t.targetId)],
);

export const schedules = sqliteTable('schedules', {
  id: text('id').primaryKey(),
  programId: text('program_id').notNull().references(() => programs.id),
  /** JSON array of zone ids, or the string "all". */
  zoneIds: text('zone_ids', { mode: 'json' }).$type<string[] | 'all'>().notNull(),
  rule: text('rule', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  priority: text('priority', { enum: PRIORITIES }).notNull().default('normal'),
  volume: integer('volume'),
  /** An ordered series of programs rotated one per occurrence; null for a single program. */
  series: text('series', { mode: 'json' }).$type<string[] | null>(),
  seriesOffset: integer('series_offset').notNull().default(0),
  seriesAnchor: integer('series_anchor'),
  repeat: text('repeat', { mode: 'json' }).$type<{ times: number; gapMinutes: number } | null>(),
  validUntil: integer('valid_until'),
  skipHolidays: integer('skip_holidays', { mode: 'boolean' }).notNull().default(false),
  createdBy: text('created_by').references(() => users.id),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull(),
});

export const deviceManifests = sqliteTable('device_manifests', {
  deviceId: text('device_id').primaryKey().references(() => devices.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  itemsHash: text('items_hash').notNull(),
  envelope: text('envelope').notNull(),
  publishedAt: integer('published_at').notNull(),
});

export const playlogs = sqliteTable(
  'playlogs',
  {
    /** The device's event id: a re-sent event is stored once. */
    id: text('id').primaryKey(),
    deviceId: text('device_id').notNull(),
    occurrenceId: text('occurrence_id').notNull(),
    programId: text('program_id').notNull(),
    startAt: integer('start_at').notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at').notNull(),
    result: text('result', { enum: PLAY_RESULTS }).notNull(),
    reason: text('reason'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('playlogs_started').on(t.startedAt), uniqueIndex('playlogs_device_occurrence_result').on(t.deviceId, t.occurrenceId, t.startedAt)],
);

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull().default(sql`0`),
});

export const commands = sqliteTable(
  'commands',
  {
    id: text('id').primaryKey(),
    deviceId: text('device_id').notNull().references(() => devices.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    payload: text('payload').notNull(),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    result: text('result', { enum: ['sent', 'done', 'rejected', 'failed'] }).notNull(),
    reason: text('reason'),
    resultAt: integer('result_at'),
  },
  (t) => [uniqueIndex('commands_device_seq').on(t.deviceId, t.seq)],
);
