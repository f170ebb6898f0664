import { z } from 'zod';

const epochMs = z.number().int().nonnegative();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const PRIORITIES = ['normal', 'priority', 'emergency'] as const;
export const priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof priority>;

export const manifestItem = z.object({
  occurrenceId: z.string().min(1).max(128),
  programId: z.string().min(1),
  title: z.string(),
  priority,
  startAt: epochMs,
  asset: z.object({
    sha256: sha256Hex,
    bytes: z.number().int().positive(),
    durationMs: z.number().int().positive(),
    /** Absolute, or relative to the server URL the agent was provisioned with. */
    url: z.string().min(1),
  }),
  volume: z.number().int().min(0).max(100).optional(),
  repeat: z.object({ times: z.number().int().min(1).max(20), gapMinutes: z.number().min(0) }).optional(),
});
export type ManifestItem = z.infer<typeof manifestItem>;

export const quietHours = z.object({ start: z.string().regex(/^\d\d:\d\d$/), end: z.string().regex(/^\d\d:\d\d$/) });

export const manifest = z.object({
  deviceId: z.string(),
  version: z.number().int().positive(),
  issuedAt: epochMs,
  validUntil: epochMs,
  items: z.array(manifestItem),
  quietHours: quietHours.optional(),
});
export type Manifest = z.infer<typeof manifest>;

/** `payload` is the exact JSON text that was signed; `sig` is base64 Ed25519 over its UTF-8 bytes. */
export const envelope = z.object({ payload: z.string().min(2), sig: z.string().min(1) });
export type Envelope = z.infer<typeof envelope>;

export const deviceState = z.object({
  state: z.enum(['online', 'offline']),
  session: z.number().int().nonnegative(),
  agentVersion: z.string().max(64),
});
export type DeviceState = z.infer<typeof deviceState>;

export const nowPlaying = z.object({ occurrenceId: z.string(), programId: z.string(), title: z.string(), startedAt: epochMs });

export const telemetry = z.object({
  at: epochMs,
  volume: z.number().int().min(0).max(100),
  rssi: z.number().optional(),
  tempC: z.number().optional(),
  diskFreeMb: z.number().nonnegative(),
  clockOffsetMs: z.number().optional(),
  manifestVersion: z.number().int().nonnegative(),
  playing: nowPlaying.nullable().optional(),
});
export type Telemetry = z.infer<typeof telemetry>;

export const COMMAND_TYPES = ['play-now', 'stop', 'set-volume', 'resync', 'reboot-agent'] as const;

/** A command: signed, never retained, monotonic `seq` per device, refused after `expiresAt`. */
export const command = z.object({
  deviceId: z.string(),
  seq: z.number().int().positive(),
  issuedAt: epochMs,
  expiresAt: epochMs,
  type: z.enum(COMMAND_TYPES),
  volume: z.number().int().min(0).max(100).optional(),
  /** play-now: what to play, as a manifest item (startAt = when it was issued). */
  item: manifestItem.optional(),
});
export type Command = z.infer<typeof command>;

export const PLAY_RESULTS = ['completed', 'interrupted', 'failed', 'missed', 'cancelled'] as const;
export type PlayResult = (typeof PLAY_RESULTS)[number];

export const ALERT_ACTIONS = ['play', 'cancel'] as const;

/**
 * An emergency alert (khẩn cấp, Circular 39/2020/TT-BTTTT): signed like a manifest, retained on the
 * device's `alert` topic so a gateway that reconnects before `expiresAt` still gets it. Revision 1
 * plays; a later revision of the same broadcast cancels it.
 */
export const alert = z.object({
  deviceId: z.string(),
  broadcastId: z.string().min(1).max(64),
  /** Monotonic per broadcast: a re-delivery of the same revision is ignored, a lower one refused. */
  revision: z.number().int().min(1),
  issuedAt: epochMs,
  /** Server time: never started at or after this. */
  expiresAt: epochMs,
  action: z.enum(ALERT_ACTIONS),
  /** For `play`: priority `emergency`, startAt = issuedAt, its own occurrenceId per device and broadcast. */
  item: manifestItem.optional(),
  /** Disaster risk level of Decision 18/2021/QĐ-TTg; informational on the device. */
  riskLevel: z.number().int().min(1).max(5).optional(),
}).superRefine((a, ctx) => {
  if (a.action === 'play' && !a.item) ctx.addIssue({ code: 'custom', path: ['item'], message: 'play needs an item' });
  if (a.item && a.item.priority !== 'emergency') ctx.addIssue({ code: 'custom', path: ['item', 'priority'], message: 'an alert plays at priority emergency' });
});
export type Alert = z.infer<typeof alert>;

/** `received` and `playing` go out at once; the others are final and go through the gateway's outbox. */
export const ALERT_STATUSES = ['received', 'playing', 'played', 'cancelled', 'expired', 'rejected', 'failed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

const eventBase = { id: z.string().min(8).max(64), at: epochMs };
/**
 * What a gateway reports on its `event` channel ("reports" in code, to keep them apart from the
 * server's bus events): each with an id, so a report sent twice is stored once.
 */
export const deviceReport = z.discriminatedUnion('type', [
  z.object({ ...eventBase, type: z.literal('manifest-applied'), version: z.number().int().positive() }),
  z.object({
    ...eventBase,
    type: z.literal('manifest-rejected'),
    version: z.number().int().nonnegative().optional(),
    reason: z.string().max(500),
  }),
  z.object({
    ...eventBase,
    type: z.literal('command-result'),
    seq: z.number().int().nonnegative(),
    result: z.enum(['done', 'rejected', 'failed']),
    reason: z.string().max(500).optional(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('played'),
    occurrenceId: z.string(),
    programId: z.string(),
    startAt: epochMs,
    startedAt: epochMs,
    endedAt: epochMs,
    result: z.enum(PLAY_RESULTS),
    reason: z.string().max(500).optional(),
  }),
  z.object({
    ...eventBase,
    type: z.literal('alert-status'),
    broadcastId: z.string().min(1).max(64),
    status: z.enum(ALERT_STATUSES),
    reason: z.string().max(500).optional(),
    /** 1 for the first play of the alert, 2 for its first repeat, … */
    repetition: z.number().int().positive().optional(),
  }),
]);
export type DeviceReport = z.infer<typeof deviceReport>;
export type PlayedReport = Extract<DeviceReport, { type: 'played' }>;
export type AlertStatusReport = Extract<DeviceReport, { type: 'alert-status' }>;

export const serverState = z.object({ state: z.enum(['online', 'offline']), at: epochMs.optional() });

/** JSON.parse that answers undefined instead of throwing: the zod schema then reports the problem. */
export const safeJson = (b: Buffer | string): unknown => {
  try {
    return JSON.parse(b.toString());
  } catch {
    return undefined;
  }
};
