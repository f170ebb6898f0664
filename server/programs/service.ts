import { writeFile, rm } from 'node:fs/promises';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Actor, AuditLog } from '../audit/service.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { Category } from '../domain/categories.js';
import { groupBy } from '../domain/group.js';
import { assets, programs, programVersions } from '../db/schema.js';
import { ApiError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Jobs, JobView } from '../jobs/service.js';
import { isDiskFull } from '../media/ffmpeg.js';
import { diskFull, type Asset, type MediaStore } from '../media/store.js';
import { normalizeVietnamese } from '../tts/normalize.js';
import { TtsError, type TtsProvider } from '../tts/provider.js';

export { CATEGORIES, type Category } from '../domain/categories.js';
export type { AssetView, NewAudio, ProgramView, ReviewStatus, Source, SpeechInput, VersionView } from './views.js';
import { assetView, type NewAudio, type ProgramView, type ReviewStatus, type Source, type SpeechInput, type VersionView } from './views.js';

/** What refers to a program from other features (given by compose.ts): a program they name is not deleted. */
export interface ProgramReferences {
  schedulesFor(programId: string): { id: string }[];
  /** Whether any gateway ever reported playing it: the as-run log keeps its title. */
  everPlayed(programId: string): boolean;
}

/**
 * Programs and their versions, from audio in to the chair's decision.
 * draft → pending → approved | rejected, per version; a program airs its approved version until a newer one is approved.
 */
export function createProgramsService({ db, bus, clock, media, jobs, audit, tts, references }: {
  db: Db; bus: Bus; clock: Clock; media: MediaStore; jobs: Jobs; audit: AuditLog; tts: TtsProvider; references?: ProgramReferences;
}) {
  const assetsBySha = (shas: string[]) =>
    new Map(shas.length ? db.select().from(assets).where(inArray(assets.sha256, [...new Set(shas)])).all().map((a) => [a.sha256, a]) : []);

  function views(rows: (typeof programs.$inferSelect)[], detail: boolean): ProgramView[] {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    // Every version for a single-program read; otherwise the newest of each program only.
    const versionRows = detail
      ? db.select().from(programVersions).where(inArray(programVersions.programId, ids)).orderBy(desc(programVersions.version)).all()
      : db.select({ v: programVersions }).from(programVersions)
        .innerJoin(programs, and(eq(programs.id, programVersions.programId), eq(programs.latestVersion, programVersions.version)))
        .where(inArray(programVersions.programId, ids)).all().map((r) => r.v);
    const byS = assetsBySha([...rows.flatMap((r) => (r.airingSha256 ? [r.airingSha256] : [])), ...versionRows.map((v) => v.assetSha256)]);
    const versionView = (v: (typeof programVersions.$inferSelect)): VersionView => ({
      version: v.version, status: v.status, source: v.source, asset: assetView(byS.get(v.assetSha256)!, detail),
      originalName: v.originalName, text: v.text, voice: v.voice, createdBy: v.createdBy, createdAt: v.createdAt,
      submittedBy: v.submittedBy, submittedAt: v.submittedAt, decidedBy: v.decidedBy, decidedAt: v.decidedAt, reason: v.reason,
    });
    const byProgram = groupBy(versionRows, (v) => v.programId);
    return rows.map((p) => {
      const own = byProgram.get(p.id)!.map(versionView);
      const latest = own.find((v) => v.version === p.latestVersion)!;
      const airing = p.airingSha256 ? assetView(byS.get(p.airingSha256)!, detail) : null;
      return {
        id: p.id, title: p.title, category: p.category, status: p.status, latestVersion: p.latestVersion,
        airingVersion: p.airingVersion, airing, asset: airing ?? latest.asset, latest,
        createdBy: p.createdBy, createdAt: p.createdAt, updatedAt: p.updatedAt, public: p.public, archived: p.archived,
        ...(detail ? { versions: own } : {}),
      };
    });
  }

  const row = (id: string) => {
    const p = db.select().from(programs).where(eq(programs.id, id)).get();
    if (!p) throw notFound('Program', id);
    return p;
  };
  const latestVersion = (p: typeof programs.$inferSelect) =>
    db.select().from(programVersions).where(and(eq(programVersions.programId, p.id), eq(programVersions.version, p.latestVersion))).get()!;

  /** The job's last step: one transaction adds the program (or the version) in `draft`. */
  function addVersion(input: NewAudio & { source: Source; asset: Asset; originalName: string | null; text?: string; voice?: string }) {
    const now = clock.now();
    const { actor } = input;
    const result = db.transaction((tx) => {
      let programId = input.programId;
      let version = 1;
      if (programId) {
        const p = tx.select().from(programs).where(eq(programs.id, programId)).get();
        if (!p) throw notFound('Program', programId);
        version = p.latestVersion + 1;
        tx.update(programs).set({ status: 'draft', assetSha256: input.asset.sha256, latestVersion: version, updatedAt: now }).where(eq(programs.id, programId)).run();
      } else {
        programId = newId('pg');
        tx.insert(programs).values({
          id: programId, title: input.title!, category: input.category ?? 'other', status: 'draft', assetSha256: input.asset.sha256,
          latestVersion: 1, originalName: input.originalName, createdBy: actor.id, createdAt: now, updatedAt: now,
        }).run();
      }
      tx.insert(programVersions).values({
        id: newId('pv'), programId, version, assetSha256: input.asset.sha256, status: 'draft', source: input.source,
        originalName: input.originalName, text: input.text ?? null, voice: input.voice ?? null, createdBy: actor.id, createdAt: now,
      }).run();
      return { programId, version };
    });
    audit.record(actor, result.version === 1 ? 'program.created' : 'program.version-created', { type: 'program', id: result.programId }, {
      version: result.version, source: input.source, sha256: input.asset.sha256, durationMs: input.asset.durationMs,
      ...(input.title && result.version === 1 ? { title: input.title } : {}),
    });
    bus.emit('program.updated', { programId: result.programId });
    return result;
  }

  function requireTitle(input: NewAudio) {
    if (input.programId) row(input.programId);
    else if (!input.title?.trim()) throw new ApiError(400, 'invalid_request', 'A new program needs a title');
  }

  /**
   * Moves the newest version from one of `from` to `to`; refuses any other transition with 409. A
   * decision names the version that was heard: if a newer one came in meanwhile, it is refused.
   */
  function transition(id: string, from: ReviewStatus[], to: ReviewStatus, set: Partial<typeof programVersions.$inferInsert>, heard?: number) {
    const p = row(id);
    const v = latestVersion(p);
    if (heard !== undefined && heard !== v.version) {
      throw new ApiError(409, 'version_changed',
        `You decided on version ${heard}, but version ${v.version} is now the newest; listen to version ${v.version} before deciding`, {
          decidedOn: heard, latestVersion: v.version, status: v.status,
        });
    }
    if (!from.includes(v.status)) {
      throw new ApiError(409, 'invalid_state', `Version ${v.version} of program ${id} is ${v.status}; it must be ${from.join(' or ')} to become ${to}`, {
        status: v.status, version: v.version,
      });
    }
    const now = clock.now();
    db.transaction((tx) => {
      tx.update(programVersions).set({ status: to, ...set }).where(eq(programVersions.id, v.id)).run();
      tx.update(programs).set({
        status: to, updatedAt: now, ...(to === 'approved' ? { airingSha256: v.assetSha256, airingVersion: v.version } : {}),
      }).where(eq(programs.id, id)).run();
    });
    bus.emit('program.updated', { programId: id });
    if (to === 'approved' && p.airingSha256 !== v.assetSha256) bus.emit('program.airing-changed', { programId: id });
    return { program: service.get(id), version: v.version };
  }

  /**
   * Text (normalised for Vietnamese) to speech through the configured provider, then the audio
   * pipeline: an asset. A job's work, and an emergency's, which does not wait in the job queue.
   */
  async function speak(input: { text: string; voice?: string; speakingRate?: number; pitch?: number }, progress: (f: number) => void = () => {}, signal?: AbortSignal) {
    const spoken = normalizeVietnamese(input.text);
    if (!spoken) throw new ApiError(400, 'invalid_request', 'There is no text to speak');
    let speech;
    try {
      speech = await tts.synthesize({ text: spoken, voice: input.voice, speakingRate: input.speakingRate, pitch: input.pitch });
    } catch (err) {
      if (err instanceof TtsError) throw new ApiError(502, 'tts_failed', err.message);
      throw err;
    }
    progress(0.2);
    const name = `speech.${speech.ext}`;
    const path = await media.tmpPath(name);
    await writeFile(path, speech.audio).catch(async (err) => {
      await rm(path, { force: true });
      throw isDiskFull(err) ? diskFull(name) : err;
    });
    const probe = await media.check(path, name);
    const asset = await media.ingest({ path, name, probe, onProgress: (f) => progress(0.2 + f * 0.8), signal });
    return { asset, voice: speech.voice };
  }

  const service = {
    list: (): ProgramView[] => views(db.select().from(programs).orderBy(desc(programs.updatedAt)).all(), false),
    get(id: string): ProgramView {
      return views([row(id)], true)[0];
    },

    /**
     * An uploaded file already on disk: checked now (size, audio stream, declared length: 413/422),
     * transcoded in the background. The answer is the job; the program appears when it succeeds.
     */
    async startUpload(input: NewAudio & { path: string; name: string; source: Source }): Promise<JobView> {
      try {
        requireTitle(input);
      } catch (err) {
        await rm(input.path, { force: true });
        throw err;
      }
      const probe = await media.check(input.path, input.name);
      return jobs.enqueue('transcode', input.name, input.actor.id, async (progress, signal) => {
        const asset = await media.ingest({ path: input.path, name: input.name, probe, onProgress: progress, signal });
        return addVersion({ ...input, asset, originalName: input.name });
      });
    },

    /**
     * Text (normalised for Vietnamese) to speech through the configured provider, then the same pipeline.
     * The request only checks; normalisation and synthesis happen in the job (the offline engine in a worker thread).
     */
    startSpeech(input: SpeechInput): JobView {
      requireTitle(input);
      if (!normalizeVietnamese(input.text)) throw new ApiError(400, 'invalid_request', 'There is no text to speak');
      const label = input.title ?? row(input.programId!).title;
      return jobs.enqueue('tts', label, input.actor.id, async (progress, signal) => {
        const { asset, voice } = await speak(input, progress, signal);
        return addVersion({ ...input, source: 'tts', asset, originalName: null, text: input.text, voice });
      });
    },
    speak,

    update(id: string, patch: { title?: string; category?: Category; public?: boolean }, actor: Actor): ProgramView {
      const before = row(id);
      db.update(programs).set({ ...patch, updatedAt: clock.now() }).where(eq(programs.id, id)).run();
      const { public: isPublic, ...rest } = patch;
      if (Object.keys(rest).length) audit.record(actor, 'program.updated', { type: 'program', id }, rest);
      // Publishing to residents is its own entry: who put what before the public, and when.
      if (isPublic !== undefined && isPublic !== before.public) {
        audit.record(actor, isPublic ? 'program.made-public' : 'program.made-private', { type: 'program', id }, { airingVersion: before.airingVersion });
      }
      bus.emit('program.updated', { programId: id });
      return service.get(id);
    },

    setArchived(id: string, archived: boolean, actor: Actor): ProgramView {
      row(id);
      db.update(programs).set({ archived, updatedAt: clock.now() }).where(eq(programs.id, id)).run();
      audit.record(actor, archived ? 'program.archived' : 'program.unarchived', { type: 'program', id });
      bus.emit('program.updated', { programId: id });
      return service.get(id);
    },

    /**
     * Deletes a program nothing refers to: schedules name it (409 program_in_use) or it was played or
     * broadcast (409 program_has_history: the record keeps it; archive it instead).
     */
    remove(id: string, actor: Actor) {
      const p = row(id);
      const scheduled = references?.schedulesFor(id) ?? [];
      if (scheduled.length) {
        throw new ApiError(409, 'program_in_use', `${p.title} is scheduled by ${scheduled.length} schedule(s); delete them first, or archive the program`, { schedules: scheduled });
      }
      const history = () => new ApiError(409, 'program_has_history', `${p.title} has been played or broadcast; it stays on record: archive it instead`);
      if (references?.everPlayed(id)) throw history();
      try {
        db.delete(programs).where(eq(programs.id, id)).run();
      } catch (err) {
        if (String((err as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) throw history();
        throw err;
      }
      audit.record(actor, 'program.deleted', { type: 'program', id }, { title: p.title });
      bus.emit('program.updated', { programId: id });
    },

    submit(id: string, actor: Actor): ProgramView {
      const r = transition(id, ['draft', 'rejected'], 'pending', { submittedBy: actor.id, submittedAt: clock.now(), decidedBy: null, decidedAt: null, reason: null });
      audit.record(actor, 'program.submitted', { type: 'program', id }, { version: r.version });
      return r.program;
    },
    approve(id: string, version: number, actor: Actor): ProgramView {
      const r = transition(id, ['pending'], 'approved', { decidedBy: actor.id, decidedAt: clock.now() }, version);
      audit.record(actor, 'program.approved', { type: 'program', id }, { version: r.version });
      return r.program;
    },
    reject(id: string, version: number, reason: string, actor: Actor): ProgramView {
      const r = transition(id, ['pending'], 'rejected', { decidedBy: actor.id, decidedAt: clock.now(), reason }, version);
      audit.record(actor, 'program.rejected', { type: 'program', id }, { version: r.version, reason });
      return r.program;
    },
  };
  return service;
}
export type ProgramsService = ReturnType<typeof createProgramsService>;
