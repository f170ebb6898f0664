import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';
import { ffmpeg, speechLikeWav, tools } from './helpers/audio.js';
import { finishedJob, uploadProgram } from './helpers/system.js';

/** Mounting a tmpfs needs root; elsewhere the real-disk tests are skipped and the simulated one still runs. */
function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function uploadAndWait(t: TestApp, file: string) {
  const res = await uploadProgram(t, file, 'Đĩa đầy');
  if (res.status !== 202) return { status: res.status, error: (await res.json()).error };
  const job = await finishedJob(t, (await res.json()).job.id);
  return { status: job.error?.status ?? 200, error: job.error };
}

const expectDiskFull = (r: { status: number; error: { code: string; message: string } | null }) => {
  expect(r.status).toBe(507);
  expect(r.error).toMatchObject({ code: 'disk_full', message: expect.stringMatching(/server's disk is full/) });
  expect(r.error!.message).not.toMatch(/could not be decoded|could not decode/);
};

describe('a full media disk is reported as such (507 disk_full), not as bad audio', () => {
  let fixtures: string;
  beforeAll(async () => {
    fixtures = await mkdtemp(join(tmpdir(), 'loalang-diskfull-fx-'));
    await speechLikeWav(join(fixtures, 'speech.wav'), 30);
    // 30 s at 24 kbit/s: about 90 KB in, while the MP3 out alone is 240 KB.
    await ffmpeg('-i', join(fixtures, 'speech.wav'), '-c:a', 'libopus', '-b:a', '24k', '-f', 'webm', join(fixtures, 'speech.webm'));
    await speechLikeWav(join(fixtures, 'long.wav'), 60, ['-ar', '48000']);
  });
  afterAll(() => rm(fixtures, { recursive: true, force: true, maxRetries: 5 }));

  describe('on a real 256 KB disk (a tmpfs; needs root)', () => {
    let mnt: string;
    let mounted = false;
    let t: TestApp;
    beforeAll(async () => {
      mnt = await mkdtemp(join(tmpdir(), 'loalang-diskfull-'));
      mounted = tryMount(mnt, '256k');
      if (mounted) t = await createTestApp({ env: { MEDIA_DIR: mnt } });
    });
    afterAll(async () => {
      await t?.stop();
      if (mounted) execFileSync('umount', [mnt]);
      await rm(mnt, { recursive: true, force: true, maxRetries: 5 });
    });

    it('answers 507 when the upload itself does not fit, and keeps nothing', async (ctx) => {
      if (!mounted) return ctx.skip();
      expectDiskFull(await uploadAndWait(t, join(fixtures, 'long.wav')));
      expect(await readdir(join(mnt, 'tmp'))).toEqual([]);
    });

    it('answers 507 from the job when ffmpeg runs out of space writing the renditions, and keeps nothing', async (ctx) => {
      if (!mounted) return ctx.skip();
      expectDiskFull(await uploadAndWait(t, join(fixtures, 'speech.webm')));
      expect(await readdir(join(mnt, 'tmp'))).toEqual([]);
      expect(await readdir(join(mnt, 'assets'))).toEqual([]);
    });
  });

  describe('simulated: an ffmpeg wrapper that fails the render with ffmpeg\'s own ENOSPC messages', () => {
    let t: TestApp;
    beforeAll(async () => {
      const bin = await mkdtemp(join(tmpdir(), 'loalang-enospc-'));
      const wrapper = join(bin, 'ffmpeg');
      await writeFile(wrapper, [
        '#!/bin/sh',
        'for a in "$@"; do case "$a" in *-out.mp3)',
        '  echo "av_interleaved_write_frame(): No space left on device" >&2',
        '  echo "Error writing trailer of $a: No space left on device" >&2',
        '  echo "Conversion failed!" >&2; exit 1;; esac; done',
        `exec '${tools.ffmpegPath}' "$@"`,
      ].join('\n'));
      await chmod(wrapper, 0o755);
      t = await createTestApp({ env: { FFMPEG_PATH: wrapper, FFPROBE_PATH: tools.ffprobePath } });
      await mkdir(join(t.dir, 'media/tmp'), { recursive: true });
    });
    afterAll(() => t?.stop());

    it('turns "No space left on device" from ffmpeg into 507 disk_full, and keeps nothing', async () => {
      expectDiskFull(await uploadAndWait(t, join(fixtures, 'speech.webm')));
      expect(await readdir(join(t.dir, 'media/tmp'))).toEqual([]);
      expect(await readdir(join(t.dir, 'media/assets'))).toEqual([]);
    });
  });
});
