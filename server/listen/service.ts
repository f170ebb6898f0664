import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { assets, programs, programVersions } from '../db/schema.js';
import { CATEGORY_LABELS, type Category } from '../domain/categories.js';

/**
 * One broadcast as residents see it. Its public id is the program id: program ids are random
 * (`pg_` + 72 random bits), carry no time or sequence, and open nothing without a session, while a
 * stable id keeps the podcast's episode and the page's anchor the same across a re-approval.
 * Nothing else internal is here: no user, no gateway, no hash, no version history.
 */
export interface PublicBroadcast {
  id: string;
  title: string;
  category: Category;
  categoryLabel: string;
  /** When a gateway last reported playing it, else when its airing version was approved. */
  date: number;
  durationMs: number;
  mp3Bytes: number;
  /** The airing version's number: a new approved version is a new podcast episode. */
  version: number;
  /** What was read aloud, when the airing version was spoken from text. */
  text: string | null;
  /** The airing MP3's content hash: the download's entity tag. */
  sha256: string;
}

/**
 * "Nghe lại": what an officer marked public AND has an approved version on air, with that airing
 * version's MP3 and text. A newer version waiting for approval is never shown; unmarking a program
 * (or a program with no approved version) takes it off the page, the feed and the download at once.
 */
export function createListenService({ db, lastPlayed, assetPath, limit = 50 }: {
  db: Db;
  /** When each program was last played by any gateway (the playlogs'). */
  lastPlayed: (programIds: string[]) => Map<string, number>;
  /** Where the store keeps an asset's MP3. */
  assetPath: (sha256: string) => string;
  limit?: number;
}) {
  const query = (id?: string) => db
    .select({
      id: programs.id, title: programs.title, category: programs.category, version: programVersions.version,
      text: programVersions.text, source: programVersions.source, decidedAt: programVersions.decidedAt, updatedAt: programs.updatedAt,
      sha256: assets.sha256, durationMs: assets.durationMs, mp3Bytes: assets.mp3Bytes,
    })
    .from(programs)
    .innerJoin(programVersions, and(eq(programVersions.programId, programs.id), eq(programVersions.version, programs.airingVersion)))
    .innerJoin(assets, eq(assets.sha256, programs.airingSha256))
    .where(and(eq(programs.public, true), eq(programVersions.status, 'approved'), isNotNull(assets.mp3Bytes), id ? eq(programs.id, id) : undefined))
    .orderBy(desc(programs.updatedAt))
    .all();

  return {
    /** The newest `limit` public broadcasts, most recently aired first. */
    list(): PublicBroadcast[] {
      const rows = query();
      const played = lastPlayed(rows.map((r) => r.id));
      return rows.map((r): PublicBroadcast => ({
        id: r.id, title: r.title, category: r.category, categoryLabel: CATEGORY_LABELS[r.category],
        date: played.get(r.id) ?? r.decidedAt ?? r.updatedAt, durationMs: r.durationMs, mp3Bytes: r.mp3Bytes!, version: r.version,
        text: r.source === 'tts' ? r.text : null, sha256: r.sha256,
      })).sort((a, b) => b.date - a.date).slice(0, limit);
    },
    /** The airing MP3 of a public program, or null for anything else (unknown, private, not approved). */
    audio(id: string): { path: string; sha256: string } | null {
      const r = query(id)[0];
      return r ? { path: assetPath(r.sha256), sha256: r.sha256 } : null;
    },
  };
}
export type ListenService = ReturnType<typeof createListenService>;
