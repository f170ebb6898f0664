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
  /** CAP area geocodes that mean this hamlet (e.g. {valueName: "VN-ADMIN", value: "26815"}). */
  geocodes: text('geocodes', { mode: 'json' }).$type<{ valueName: string; value: string }[]>().notNull().default(sql`'[]'`),
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
    /** A gateway kept for tests: CAP alerts with status Test or Exercise play only on these. */
    test: integer('test', { mode: 'boolean' }).notNull().default(false),
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
  /** Marked by an officer for the public "nghe lại" page and podcast feed (only its approved version is ever public). */
  public: integer('public', { mode: 'boolean' }).notNull().default(false),
  /** Archived: kept for the record and reports, no longer offered for scheduling. */
  archived: integer('archived', { mode: 'boolean' }).notNull().default(false),
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

/**
 * A hamlet's manifest items as text cut where each gateway's tag goes (domain/zone-manifest.ts), once
 * per distinct content: every gateway's manifest is derived from its hamlet's, so a rebuild stores
 * one of these per hamlet and a signature per gateway instead of every gateway's whole manifest.
 */
export const manifestTemplates = sqliteTable('manifest_templates', {
  hash: text('hash').primaryKey(),
  /** JSON: { segments, quietHours, count }. */
  template: text('template').notNull(),
  createdAt: createdAt(),
});

export const deviceManifests = sqliteTable('device_manifests', {
  deviceId: text('device_id').primaryKey().references(() => devices.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  itemsHash: text('items_hash').notNull(),
  /** What the signed payload is made of: its hamlet's template and its own header fields. */
  templateHash: text('template_hash'),
  issuedAt: integer('issued_at'),
  validUntil: integer('valid_until'),
  sig: text('sig'),
  /** The whole envelope, kept only for manifests stored before templates (they are rebuilt at start). */
  envelope: text('envelope'),
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

/**
 * Emergency broadcasts (khẩn cấp): what was sent to which hamlets, by whom, confirmed by whom, and
 * until when a gateway that reconnects still gets it.
 */
export const broadcasts = sqliteTable(
  'broadcasts',
  {
    id: text('id').primaryKey(),
    status: text('status', { enum: ['awaiting-confirmation', 'active', 'cancelled', 'expired', 'rejected'] }).notNull(),
    zoneIds: text('zone_ids', { mode: 'json' }).$type<string[] | 'all'>().notNull(),
    contentKind: text('content_kind', { enum: ['program', 'text', 'recording'] }).notNull(),
    title: text('title').notNull(),
    /** For text: what is spoken, as written. */
    text: text('text'),
    programId: text('program_id').references(() => programs.id),
    assetSha256: text('asset_sha256').notNull().references(() => assets.sha256),
    riskLevel: integer('risk_level'),
    repeatTimes: integer('repeat_times').notNull().default(1),
    gapSeconds: integer('gap_seconds').notNull().default(0),
    volume: integer('volume'),
    note: text('note'),
    /** A test broadcast reaches only gateways marked as test (CAP status Test/Exercise). */
    test: integer('test', { mode: 'boolean' }).notNull().default(false),
    source: text('source', { enum: ['manual', 'cap'] }).notNull().default('manual'),
    capAlertId: text('cap_alert_id'),
    revision: integer('revision').notNull().default(1),
    createdBy: text('created_by'),
    createdByName: text('created_by_name'),
    createdAt: createdAt(),
    confirmedBy: text('confirmed_by'),
    confirmedAt: integer('confirmed_at'),
    firedAt: integer('fired_at'),
    expiresAt: integer('expires_at').notNull(),
    cancelledBy: text('cancelled_by'),
    cancelledAt: integer('cancelled_at'),
    cancelReason: text('cancel_reason'),
  },
  (t) => [index('broadcasts_created').on(t.createdAt)],
);

/** One gateway's part in a broadcast, as it reported it (or as the server knows it when it cannot). */
export const broadcastTargets = sqliteTable(
  'broadcast_targets',
  {
    broadcastId: text('broadcast_id').notNull().references(() => broadcasts.id, { onDelete: 'cascade' }),
    deviceId: text('device_id').notNull(),
    zoneId: text('zone_id').notNull(),
    status: text('status', { enum: ['pending', 'sent', 'received', 'playing', 'played', 'missed', 'cancelled', 'expired', 'failed', 'rejected'] }).notNull(),
    reason: text('reason'),
    /** When the gateway was last heard from, if it was offline when the broadcast went out. */
    offlineSince: integer('offline_since'),
    sentAt: integer('sent_at'),
    receivedAt: integer('received_at'),
    startedAt: integer('started_at'),
    endedAt: integer('ended_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('broadcast_targets_pk').on(t.broadcastId, t.deviceId)],
);

/**
 * Planned against played: every expected play of a program on a gateway, settled once after it should
 * have ended — played, interrupted (by what), cancelled, or missed (with the reason the system can know).
 */
export const plays = sqliteTable(
  'plays',
  {
    deviceId: text('device_id').notNull(),
    occurrenceId: text('occurrence_id').notNull(),
    zoneId: text('zone_id').notNull(),
    /** The schedule, or the emergency broadcast, that placed it. */
    scheduleId: text('schedule_id'),
    broadcastId: text('broadcast_id'),
    programId: text('program_id').notNull(),
    title: text('title').notNull(),
    category: text('category').notNull(),
    priority: text('priority', { enum: PRIORITIES }).notNull(),
    startAt: integer('start_at').notNull(),
    endAt: integer('end_at').notNull(),
    status: text('status', { enum: ['expected', 'played', 'interrupted', 'cancelled', 'missed'] }).notNull(),
    reason: text('reason'),
    /** Seconds of it that actually played (all repetitions). */
    playedMs: integer('played_ms').notNull().default(0),
    startedAt: integer('started_at'),
    settledAt: integer('settled_at'),
  },
  (t) => [
    uniqueIndex('plays_device_occurrence').on(t.deviceId, t.occurrenceId),
    index('plays_status_end').on(t.status, t.endAt),
    index('plays_start').on(t.startAt),
  ],
);

/** When each gateway came online and went offline: availability over any period, and "offline since". */
export const deviceAvailability = sqliteTable(
  'device_availability',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id').notNull(),
    online: integer('online', { mode: 'boolean' }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('device_availability_device_at').on(t.deviceId, t.at)],
);

/**
 * What technicians must look at: missed plays grouped per gateway and reason while the problem lasts,
 * so one gateway offline for a week is one incident, not a hundred.
 */
export const incidents = sqliteTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['missed-plays'] }).notNull(),
    deviceId: text('device_id').notNull(),
    reasonKind: text('reason_kind').notNull(),
    reason: text('reason').notNull(),
    count: integer('count').notNull(),
    firstAt: integer('first_at').notNull(),
    lastAt: integer('last_at').notNull(),
    openedAt: integer('opened_at').notNull(),
    resolvedAt: integer('resolved_at'),
    notifiedAt: integer('notified_at'),
  },
  (t) => [index('incidents_device_open').on(t.deviceId, t.resolvedAt)],
);

/** CAP 1.2 alerts received (POST /api/cap or the feed), what was decided, and the broadcast that aired it. */
export const capAlerts = sqliteTable(
  'cap_alerts',
  {
    id: text('id').primaryKey(),
    /** `sender,identifier,sent`: how CAP references name an alert. */
    key: text('key').notNull(),
    sender: text('sender').notNull(),
    identifier: text('identifier').notNull(),
    sentAt: integer('sent_at').notNull(),
    status: text('status').notNull(),
    msgType: text('msg_type').notNull(),
    headline: text('headline'),
    severity: text('severity'),
    urgency: text('urgency'),
    /** The alert as parsed, and as received (kept for the record). */
    alert: text('alert', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    xml: text('xml').notNull(),
    signed: integer('signed', { mode: 'boolean' }).notNull().default(false),
    zoneIds: text('zone_ids', { mode: 'json' }).$type<string[]>().notNull(),
    action: text('action').notNull(),
    decision: text('decision').notNull(),
    state: text('state', { enum: ['waiting', 'aired', 'dismissed', 'kept', 'cancelled', 'updated'] }).notNull(),
    broadcastId: text('broadcast_id'),
    source: text('source', { enum: ['http', 'feed'] }).notNull(),
    receivedAt: integer('received_at').notNull(),
    handledBy: text('handled_by'),
    handledAt: integer('handled_at'),
  },
  (t) => [uniqueIndex('cap_alerts_key').on(t.key), index('cap_alerts_received').on(t.receivedAt)],
);
