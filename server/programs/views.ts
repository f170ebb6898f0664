import type { Actor } from '../audit/service.js';
import type { Category } from '../domain/categories.js';
import type { programVersions } from '../db/schema.js';
import type { Asset } from '../media/store.js';

/** What the programs feature answers with, and what it is given: the shapes, apart from the service. */
export type ReviewStatus = (typeof programVersions.$inferSelect)['status'];
export type Source = (typeof programVersions.$inferSelect)['source'];

export interface AssetView {
  sha256: string;
  bytes: number;
  durationMs: number;
  loudnessLufs: number;
  truePeakDb: number;
  trimmedMs: number | null;
  url: string;
  mp3Url: string | null;
  mp3Bytes: number | null;
  /** Waveform levels 0–100 (single-program reads only). */
  peaks?: number[];
}

export interface VersionView {
  version: number;
  status: ReviewStatus;
  source: Source;
  asset: AssetView;
  originalName: string | null;
  text: string | null;
  voice: string | null;
  createdBy: string | null;
  createdAt: number;
  submittedBy: string | null;
  submittedAt: number | null;
  decidedBy: string | null;
  decidedAt: number | null;
  reason: string | null;
}

export interface ProgramView {
  id: string;
  title: string;
  category: Category;
  /** The newest version's review state. */
  status: ReviewStatus;
  latestVersion: number;
  /** The approved version on air, or null: only a program with one can be scheduled or played. */
  airingVersion: number | null;
  airing: AssetView | null;
  /** What airs if anything does, else the newest version's audio. */
  asset: AssetView;
  /** The newest version: what waits for a decision, or was decided last (with its reason). */
  latest: VersionView;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  /** On the public "nghe lại" page and feed (its airing version, when it has one). */
  public: boolean;
  /** Kept for the record, no longer offered for scheduling. */
  archived: boolean;
  /** Every version, newest first (single-program reads only). */
  versions?: VersionView[];
}

export const assetView = (a: Asset, withPeaks = false): AssetView => ({
  sha256: a.sha256, bytes: a.bytes, durationMs: a.durationMs, loudnessLufs: a.loudnessLufs, truePeakDb: a.truePeakDb,
  trimmedMs: a.trimmedMs, url: `/media/${a.sha256}.opus`,
  mp3Url: a.mp3Bytes ? `/media/${a.sha256}.mp3` : null, mp3Bytes: a.mp3Bytes,
  ...(withPeaks ? { peaks: a.peaks ?? [] } : {}),
});

export interface NewAudio {
  title?: string;
  category?: Category;
  /** Set: a new version of this program. Unset: a new program. */
  programId?: string;
  actor: Actor;
}

export interface SpeechInput extends NewAudio {
  text: string;
  voice?: string;
  speakingRate?: number;
  pitch?: number;
}
