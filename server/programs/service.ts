import { desc, eq } from 'drizzle-orm';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { assets, programs } from '../db/schema.js';
import { notFound } from '../http/errors.js';
import { newId } from '../ids.js';
import type { MediaStore } from '../media/store.js';

export type Category = (typeof programs.$inferSelect)['category'];
export const CATEGORIES: Category[] = ['greeting', 'procedure', 'law', 'emergency', 'news', 'relay', 'music', 'other'];

export interface ProgramView {
  id: string;
  title: string;
  category: Category;
  status: string;
  createdAt: number;
  asset: { sha256: string; bytes: number; durationMs: number; loudnessLufs: number; truePeakDb: number; url: string };
}

export function createProgramsService({ db, bus, clock, media }: { db: Db; bus: Bus; clock: Clock; media: MediaStore }) {
  const list = (id?: string): ProgramView[] =>
    db
      .select({ p: programs, a: assets })
      .from(programs)
      .innerJoin(assets, eq(assets.sha256, programs.assetSha256))
      .where(id ? eq(programs.id, id) : undefined)
      .orderBy(desc(programs.createdAt))
      .all()
      .map(({ p, a }) => ({
        id: p.id, title: p.title, category: p.category, status: p.status, createdAt: p.createdAt,
        asset: { sha256: a.sha256, bytes: a.bytes, durationMs: a.durationMs, loudnessLufs: a.loudnessLufs, truePeakDb: a.truePeakDb, url: `/media/${a.sha256}.opus` },
      }));
  return {
    list: () => list(),
    get(id: string): ProgramView {
      const p = list(id)[0];
      if (!p) throw notFound('Program', id);
      return p;
    },
    async upload(input: { title: string; category: Category; file: { bytes: Uint8Array; name: string }; userId: string }): Promise<ProgramView> {
      const asset = await media.ingest(input.file);
      const id = newId('pg');
      const now = clock.now();
      // Approval (draft → pending → approved) arrives with the content-pipeline work; until then an upload airs as is.
      db.insert(programs).values({
        id, title: input.title, category: input.category, status: 'approved', assetSha256: asset.sha256,
        originalName: input.file.name, createdBy: input.userId, createdAt: now, updatedAt: now,
      }).run();
      bus.emit('program.changed', { programId: id });
      return this.get(id);
    },
  };
}
export type ProgramsService = ReturnType<typeof createProgramsService>;
