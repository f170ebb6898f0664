import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { assets } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { AudioError, measureEbur128, probeAudio, transcodeToOpus, type AudioTools } from './audio.js';

export type Asset = typeof assets.$inferSelect;

export const sha256File = (file: string) =>
  new Promise<string>((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });

/**
 * Content-addressed store: `assets/{sha256}.opus` (what gateways play) and `originals/{sha256}{ext}`
 * (what was uploaded, kept to re-transcode later). Work happens in `tmp/` and is renamed into place,
 * so a failed upload leaves nothing behind.
 */
export function createMediaStore({ db, clock, tools, mediaDir, maxUploadBytes }: {
  db: Db; clock: Clock; tools: AudioTools; mediaDir: string; maxUploadBytes: number;
}) {
  const dirs = { tmp: join(mediaDir, 'tmp'), assets: join(mediaDir, 'assets'), originals: join(mediaDir, 'originals') };
  const ready = Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));

  return {
    assetPath: (sha256: string) => join(dirs.assets, `${sha256}.opus`),
    getAsset: (sha256: string): Asset | undefined => db.select().from(assets).where(eq(assets.sha256, sha256)).get(),

    /** Probe, two-pass loudness-normalise, transcode, hash, store. Throws ApiError 413/422 on bad input. */
    async ingest(upload: { bytes: Uint8Array; name: string }): Promise<Asset> {
      await ready;
      if (upload.bytes.byteLength === 0) throw new ApiError(422, 'empty_audio', `${upload.name} is empty (0 bytes)`);
      if (upload.bytes.byteLength > maxUploadBytes) {
        throw new ApiError(413, 'too_large', `${upload.name} is larger than the ${Math.round(maxUploadBytes / 1048576)} MB limit`);
      }
      const work = join(dirs.tmp, randomBytes(8).toString('hex'));
      const ext = (extname(upload.name).toLowerCase().match(/^\.[a-z0-9]{1,5}$/) ?? [''])[0];
      const original = `${work}-in${ext}`;
      const output = `${work}-out.opus`;
      try {
        await writeFile(original, upload.bytes);
        const probe = await probeAudio(tools, original);
        await transcodeToOpus(tools, original, output, probe.durationMs);
        const [sha256, loudness, info, outProbe] = await Promise.all([
          sha256File(output), measureEbur128(tools, output), stat(output), probeAudio(tools, output),
        ]);
        const existing = this.getAsset(sha256);
        if (existing) return existing;
        const originalSha = createHash('sha256').update(upload.bytes).digest('hex');
        await rename(original, join(dirs.originals, `${originalSha}${ext}`));
        await rename(output, this.assetPath(sha256));
        const row: Asset = {
          sha256, bytes: info.size, durationMs: outProbe.durationMs ?? probe.durationMs ?? 0,
          loudnessLufs: loudness.integratedLufs, truePeakDb: loudness.truePeakDb, createdAt: clock.now(),
        };
        db.insert(assets).values(row).onConflictDoNothing().run();
        return row;
      } catch (err) {
        if (err instanceof AudioError) throw new ApiError(422, err.code, `${upload.name}: ${err.message}`);
        throw err;
      } finally {
        await Promise.all([rm(original, { force: true }), rm(output, { force: true })]);
      }
    },
  };
}
export type MediaStore = ReturnType<typeof createMediaStore>;
