import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioTools } from '../server/media/audio.js';
import { useTestApp } from './helpers/app.js';
import { uploadProgram } from './helpers/system.js';

describe('uploads that name other files are refused before anything they name is read', () => {
  const t = useTestApp();
  let dir: string;
  let fifo: string;
  let opened = 0;
  let watcher: NodeJS.Timeout;
  let requests = 0;
  const http = createServer((_req, res) => {
    requests++;
    res.end('RIFF');
  });

  beforeAll(async () => {
    dir = join(t.dir, 'crafted');
    await mkdir(dir);
    // A named pipe stands for "another local file": whoever opens it to read is seen at once.
    fifo = join(dir, 'other-file.wav');
    execFileSync('mkfifo', [fifo]);
    watcher = setInterval(() => {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        opened++;
      } catch {
        // ENXIO: nobody has it open for reading.
      }
    }, 2);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/segment.wav`;
    const hls = (target: string) => `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n${target}\n#EXT-X-ENDLIST\n`;
    await writeFile(join(dir, 'list.m3u8'), hls(fifo));
    await writeFile(join(dir, 'disguised.mp3'), hls(fifo));
    await writeFile(join(dir, 'remote.m3u8'), hls(url));
    await writeFile(join(dir, 'list.ffconcat'), `ffconcat version 1.0\nfile '${fifo}'\n`);
  });
  afterAll(() => {
    clearInterval(watcher);
    http.close();
  });

  it.each([
    ['an HLS playlist (.m3u8) naming a local file', 'list.m3u8'],
    ['the same playlist renamed .mp3', 'disguised.mp3'],
    ['an HLS playlist naming an http:// URL', 'remote.m3u8'],
    ['an ffconcat script naming a local file', 'list.ffconcat'],
  ])('refuses %s with 422 playlist_refused, reading nothing it names', async (_what, name) => {
    const res = await uploadProgram(t, join(dir, name), 'Danh sách');
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe('playlist_refused');
    expect(error.message).toContain(name);
    expect(error.message).toMatch(/upload the audio file itself/);
    await new Promise((r) => setTimeout(r, 20));
    expect(opened).toBe(0);
    expect(requests).toBe(0);
    expect(await readdir(join(t.dir, 'media/tmp'))).toEqual([]);
  });

  it('refuses a plain concat list (no ffconcat header) as not audio', async () => {
    await writeFile(join(dir, 'list.txt'), `file '${fifo}'\n`);
    const res = await uploadProgram(t, join(dir, 'list.txt'), 'Danh sách');
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('not_audio');
    expect(opened).toBe(0);
  });
});

describe('which ffmpeg parses uploads', () => {
  const t = useTestApp();

  it('prefers the ffmpeg on PATH, which the system keeps patched, over the bundled 2018 build', () => {
    const tools = audioTools({}, '/usr/local/bin:/usr/bin');
    if (!existsSync('/usr/bin/ffmpeg') && !existsSync('/usr/local/bin/ffmpeg')) return;
    expect(tools.ffmpegPath).not.toBe(ffmpegInstaller.path);
    expect(tools.ffprobePath).toMatch(/ffprobe$/);
    expect(tools.label).toBe(`${tools.version} (${tools.ffmpegPath})`);
  });

  it('falls back to the bundled build when PATH has none, or one without libopus and libmp3lame', async () => {
    expect(audioTools({}, '').ffmpegPath).toBe(ffmpegInstaller.path);
    const bin = join(t.dir, 'bin');
    await mkdir(bin);
    for (const tool of ['ffmpeg', 'ffprobe']) {
      await writeFile(join(bin, tool), '#!/bin/sh\necho "ffmpeg version 9.9-crippled"\necho " A..... aac   AAC"\n');
      await chmod(join(bin, tool), 0o755);
    }
    const tools = audioTools({}, bin);
    expect(tools.ffmpegPath).toBe(ffmpegInstaller.path);
    expect(tools.version).toMatch(/static|^N-/);
  });

  it('uses FFMPEG_PATH when it is set, whatever is on PATH', () => {
    expect(audioTools({ ffmpegPath: ffmpegInstaller.path }, '/usr/bin').ffmpegPath).toBe(ffmpegInstaller.path);
  });

  it('says which one it uses, with its version, in /healthz', async () => {
    const res = await t.as()('/healthz');
    const body = await res.json();
    expect(body.ffmpeg).toBe(t.server.media.tools.label);
    expect(body.ffmpeg).toMatch(/^\S+ \(\/.+ffmpeg\)$/);
  });
});
