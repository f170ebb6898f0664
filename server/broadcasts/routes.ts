import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditLog } from '../audit/service.js';
import { allow, type AuthEnv } from '../auth/middleware.js';
import { can } from '../auth/permissions.js';
import { ApiError } from '../http/errors.js';
import { actorOf } from '../http/request.js';
import { isoInstant, validate } from '../http/validate.js';
import { receiveAudio } from '../media/receive.js';
import type { MediaStore } from '../media/store.js';
import { strictInstant } from '../domain/time.js';
import { riskTableSchema } from './risk-levels.js';
import type { AssetInfo, BroadcastInput, BroadcastsService } from './service.js';

const zoneIds = z.union([z.literal('all'), z.array(z.string().min(1)).min(1, 'choose at least one hamlet')]);
const common = {
  zoneIds,
  riskLevel: z.number().int().min(1).max(5).optional(),
  repeat: z.object({ times: z.number().int().min(1).max(20), gapSeconds: z.number().int().min(0).max(3600) }).optional(),
  volume: z.number().int().min(0).max(100).optional(),
  expiresAt: isoInstant.optional(),
  note: z.string().trim().max(1000).optional(),
};
export const emergencyBody = z.object({
  ...common,
  content: z.discriminatedUnion('type', [
    z.object({ type: z.literal('program'), programId: z.string().min(1) }),
    z.object({ type: z.literal('text'), text: z.string().trim().min(1).max(5000), title: z.string().trim().min(1).max(200).optional(), voice: z.string().max(64).optional() }),
    /** A recording already uploaded for this (POST /api/broadcasts/recordings): its asset. */
    z.object({ type: z.literal('recording'), sha256: z.string().regex(/^[0-9a-f]{64}$/), title: z.string().trim().min(1).max(200).optional() }),
  ]),
});
export type EmergencyBody = z.infer<typeof emergencyBody>;

export interface BroadcastContent {
  /** The approved audio on air of a program, or why it cannot air. */
  program(id: string): { title: string; status: string; airing: AssetInfo | null };
  /** Text spoken now (not queued behind other jobs). */
  speak(text: string, voice?: string): Promise<AssetInfo>;
  asset(sha256: string): AssetInfo | undefined;
}

/** What the panel shows of a broadcast: the row, each gateway's part, and the counts per status. */
export type BroadcastView = ReturnType<BroadcastsService['get']> & { counts: Record<string, number> };
export const broadcastView = (b: ReturnType<BroadcastsService['get']>): BroadcastView => {
  const counts: Record<string, number> = {};
  for (const t of b.targets) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return { ...b, counts };
};

/** Turns what was asked for into what will be played: an approved program, text spoken now, or a recording. */
export async function resolveContent(body: EmergencyBody, content: BroadcastContent): Promise<BroadcastInput['content']> {
  const c = body.content;
  if (c.type === 'program') {
    const p = content.program(c.programId);
    if (!p.airing) throw new ApiError(422, 'program_not_approved', `Program ${c.programId} is ${p.status}; only an approved program can be broadcast as it is (or send text or a recording)`);
    return { kind: 'program', title: p.title, asset: p.airing, programId: c.programId };
  }
  if (c.type === 'text') return { kind: 'text', title: c.title ?? c.text.slice(0, 80), text: c.text, asset: await content.speak(c.text, c.voice) };
  const asset = content.asset(c.sha256);
  if (!asset) throw new ApiError(422, 'unknown_recording', 'That recording is not on the server; upload it again');
  return { kind: 'recording', title: c.title ?? 'Ghi âm khẩn cấp', asset };
}

export function broadcastsRoutes(broadcasts: BroadcastsService, content: BroadcastContent, audit: AuditLog, media: MediaStore) {
  return new Hono<AuthEnv>()
    .use(allow('broadcasts.view'))
    .get('/', (c) => c.json({ broadcasts: broadcasts.list() }, 200))
    .get('/settings', (c) => c.json({ settings: broadcasts.getSettings() }, 200))
    .put('/settings', allow('broadcasts.settings'), validate('json', z.object({
      twoPerson: z.object({ program: z.boolean(), text: z.boolean(), recording: z.boolean() }),
      riskLevels: riskTableSchema,
    })), (c) => {
      const settings = broadcasts.saveSettings(c.req.valid('json'));
      audit.record(actorOf(c), 'broadcast.settings-changed', { type: 'settings', id: 'broadcasts' }, settings as unknown as Record<string, unknown>);
      return c.json({ settings }, 200);
    })
    // A recording made on the spot (the panel's microphone, or a file): checked and normalised now,
    // not queued behind other jobs; its asset is then the content of POST /emergency.
    .post('/recordings', allow('broadcasts.prepare'), async (c) => {
      const { path, name } = await receiveAudio(c, media);
      const probe = await media.check(path, name);
      const asset = await media.ingest({ path, name, probe });
      audit.record(actorOf(c), 'broadcast.recording-uploaded', { type: 'asset', id: asset.sha256 }, { durationMs: asset.durationMs });
      return c.json({ recording: { sha256: asset.sha256, bytes: asset.bytes, durationMs: asset.durationMs } }, 201);
    })
    .post('/emergency', allow('broadcasts.prepare'), validate('json', emergencyBody), async (c) => {
      const body = c.req.valid('json');
      const actor = actorOf(c);
      const resolved = await resolveContent(body, content);
      const b = await broadcasts.create({
        ...body, content: resolved, expiresAt: body.expiresAt ? strictInstant(body.expiresAt)! : undefined,
      }, actor, can(c.get('user').role, 'broadcasts.fire'));
      audit.record(actor, b.status === 'active' ? 'broadcast.emergency-fired' : 'broadcast.emergency-prepared', { type: 'broadcast', id: b.id }, {
        title: b.title, zoneIds: b.zoneIds, contentKind: b.contentKind, riskLevel: b.riskLevel, note: b.note,
      });
      return c.json({ broadcast: broadcastView(broadcasts.get(b.id)) }, 201);
    })
    .get('/:id', (c) => c.json({ broadcast: broadcastView(broadcasts.get(c.req.param('id'))) }, 200))
    .post('/:id/confirm', allow('broadcasts.confirm'), async (c) => {
      const b = await broadcasts.confirm(c.req.param('id'), actorOf(c));
      audit.record(actorOf(c), 'broadcast.emergency-confirmed', { type: 'broadcast', id: b.id }, { title: b.title, preparedBy: b.createdByName });
      return c.json({ broadcast: broadcastView(broadcasts.get(b.id)) }, 200);
    })
    .post('/:id/cancel', validate('json', z.object({ reason: z.string().trim().max(500).optional() })), async (c) => {
      const actor = actorOf(c);
      const b = await broadcasts.cancel(c.req.param('id'), actor, c.req.valid('json').reason ?? null, can(c.get('user').role, 'broadcasts.cancel'));
      audit.record(actor, 'broadcast.emergency-cancelled', { type: 'broadcast', id: b.id }, { title: b.title, reason: b.cancelReason });
      return c.json({ broadcast: broadcastView(broadcasts.get(b.id)) }, 200);
    });
}
