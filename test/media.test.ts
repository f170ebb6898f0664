import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeAudio } from '../server/media/audio.js';
import { measureEbur128 } from '../server/media/render.js';
import { espeakProvider } from '../server/tts/espeak.js';
import { ffmpeg, speechLikeWav, tools } from './helpers/audio.js';
import { useTestApp } from './helpers/app.js';
import { ADMIN_PASSWORD, finishedJob, uploadProgram, useTestSystem, type ApiClient, type TestSystem } from './helpers/system.js';

type Client = ApiClient & { dir: string };

/** What is on disk and in the database: a refused upload must change none of it. */
const storedState = async (t: Client) => ({
  assets: (await readdir(join(t.dir, 'media/assets')).catch(() => [])).sort(),
  originals: (await readdir(join(t.dir, 'media/originals')).catch(() => [])).sort(),
  tmp: await readdir(join(t.dir, 'media/tmp')).catch(() => []),
  programs: (await (await t.api('/api/programs')).json()).programs.length as number,
});

/** Upload and follow the job: the program it made, or the error (at once or from the job). */
async function upload(t: Client, file: string, title = 'Thông báo') {
  const res = await uploadProgram(t, file, title);
  const body = await res.json();
  if (res.status !== 202) return { status: res.status, error: body.error, program: null };
  const job = await finishedJob(t, body.job.id);
  if (job.status === 'failed') return { status: job.error!.status, error: job.error!, program: null };
  const { program } = await (await t.api(`/api/programs/${job.result!.programId}`)).json();
  return { status: 200, error: null, program };
}

describe('the content pipeline on a fixture set, with real ffmpeg', () => {
  const t = useTestApp();
  let fx: string;

  beforeAll(async () => {
    fx = join(t.dir, 'fixtures');
    await mkdir(fx);
    const f = (name: string) => join(fx, name);
    // A speech-like source with 1.5 s of silence before and 2 s after: the pipeline trims both.
    await speechLikeWav(f('core.wav'), 8);
    await ffmpeg('-f', 'lavfi', '-t', '1.5', '-i', 'anullsrc=r=16000:cl=mono', '-i', f('core.wav'), '-f', 'lavfi', '-t', '2', '-i', 'anullsrc=r=16000:cl=mono',
      '-filter_complex', '[0][1][2]concat=n=3:v=0:a=1', f('speech.wav'));
    const speech = await espeakProvider().synthesize({ text: 'Ủy ban nhân dân xã thông báo lịch tiếp công dân ngày mười lăm tháng mười hai.' });
    await writeFile(f('espeak.wav'), speech.audio);
    await ffmpeg('-i', f('speech.wav'), '-ac', '2', '-ar', '96000', '-c:a', 'pcm_s24le', f('stereo-96k.wav'));
    await ffmpeg('-i', f('speech.wav'), '-c:a', 'libopus', '-b:a', '32k', '-live', '1', '-f', 'webm', f('recording.webm'));
    await ffmpeg('-i', f('speech.wav'), '-ar', '8000', '-ac', '1', '-c:a', 'libopencore_amrnb', '-b:a', '12.2k', f('voice-memo.amr'));
    await ffmpeg('-i', f('speech.wav'), '-ar', '8000', '-ac', '1', '-c:a', 'libopencore_amrnb', '-b:a', '12.2k', '-f', '3gp', f('voice-memo.3gp'));
    await ffmpeg('-i', f('speech.wav'), '-c:a', 'libmp3lame', '-b:a', '96k', f('speech.mp3'));
    await ffmpeg('-i', f('speech.wav'), '-c:a', 'aac', '-b:a', '64k', f('speech.m4a'));
    await ffmpeg('-i', f('speech.wav'), '-c:a', 'libvorbis', f('speech.ogg'));
    await ffmpeg('-i', f('speech.wav'), '-c:a', 'flac', f('speech.flac'));
    // The bad ones.
    const mp3 = await readFile(f('speech.mp3'));
    await writeFile(f('truncated.mp3'), mp3.subarray(0, Math.floor(mp3.length * 0.4)));
    await writeFile(f('notes.mp3'), 'Thông báo: họp thôn lúc 19h tối thứ Bảy.\n'.repeat(50));
    await writeFile(f('empty.mp3'), '');
    await ffmpeg('-f', 'lavfi', '-t', '0.5', '-i', 'anullsrc=r=44100:cl=mono', f('silence.wav'));
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x64:rate=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', f('video-only.mp4'));
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x64:rate=10', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '1',
      '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', f('video-silent.mp4'));
  }, 120_000);

  it.each([
    ['speech-like tones (wav)', 'speech.wav'],
    ['espeak-ng Vietnamese speech', 'espeak.wav'],
    ['a stereo 96 kHz 24-bit wav', 'stereo-96k.wav'],
    ['a webm/opus browser recording', 'recording.webm'],
    ['an AMR phone voice memo', 'voice-memo.amr'],
    ['a 3GP phone voice memo', 'voice-memo.3gp'],
    ['an mp3', 'speech.mp3'],
    ['an m4a (AAC)', 'speech.m4a'],
    ['an ogg (Vorbis)', 'speech.ogg'],
    ['a flac', 'speech.flac'],
  ])('turns %s into mono Opus and MP3 at −16 ± 1 LUFS and ≤ −1.0 dBTP, as ebur128 measures them', async (_what, name) => {
    const { status, error, program } = await upload(t, join(fx, name), name);
    expect(error).toBeNull();
    expect(status).toBe(200);
    const v = program.versions[0];
    expect(v).toMatchObject({ version: 1, status: 'draft', source: 'upload', originalName: name });
    const opus = join(t.dir, 'media/assets', `${v.asset.sha256}.opus`);
    const mp3 = join(t.dir, 'media/assets', `${v.asset.sha256}.mp3`);
    for (const file of [opus, mp3]) {
      const m = await measureEbur128(tools, file);
      expect(Math.abs(m.integratedLufs - -16), `${file} integrated ${m.integratedLufs}`).toBeLessThanOrEqual(1);
      expect(m.truePeakDb, `${file} true peak`).toBeLessThanOrEqual(-1.0);
    }
    expect(await probeAudio(tools, opus)).toMatchObject({ codec: 'opus', channels: 1, sampleRate: 48000 });
    expect(await probeAudio(tools, mp3)).toMatchObject({ codec: 'mp3', channels: 1 });
    // The stored figures are loudnorm's own; they agree with the independent measurement.
    expect(Math.abs(v.asset.loudnessLufs - -16)).toBeLessThanOrEqual(1);
    expect(v.asset.truePeakDb).toBeLessThanOrEqual(-1.0);
    // 180 KB per broadcast minute, plus the Ogg/Opus headers (a few KB, which dominate an 8-second file).
    expect(v.asset.bytes).toBeLessThanOrEqual((180_000 * v.asset.durationMs) / 60_000 + 4096);
    expect(v.asset.mp3Url).toBe(`/media/${v.asset.sha256}.mp3`);
    expect(v.asset.peaks.length).toBeGreaterThan(100);
    expect(v.asset.peaks.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...v.asset.peaks)).toBeGreaterThan(20);
  });

  it('trims the leading and trailing silence, keeping a breath at each end, and says how much it cut', async () => {
    const { program } = await upload(t, join(fx, 'speech.wav'), 'Cắt lặng');
    const { asset } = program.versions[0];
    // 1.5 s + 8 s + 2 s in; about 8 s of sound plus 2 × 150 ms out.
    expect(asset.durationMs).toBeGreaterThan(8_000);
    expect(asset.durationMs).toBeLessThan(8_700);
    expect(asset.trimmedMs).toBeGreaterThan(2_900);
    expect(asset.trimmedMs).toBeLessThan(3_600);
  });

  it.each([
    ['a text file renamed .mp3', 'notes.mp3', 'not_audio'],
    ['a zero-byte file', 'empty.mp3', 'empty_audio'],
    ['a truncated mp3', 'truncated.mp3', 'corrupt_audio'],
    ['half a second of silence', 'silence.wav', 'empty_audio'],
    ['a video with no sound track', 'video-only.mp4', 'no_audio_stream'],
    ['a video whose sound track is silent', 'video-silent.mp4', 'empty_audio'],
  ])('refuses %s with 422, a clear message, and leaves nothing on disk or in the database', async (_what, name, code) => {
    const before = await storedState(t);
    const { status, error } = await upload(t, join(fx, name), 'Tệp hỏng');
    expect(status).toBe(422);
    expect(error.code).toBe(code);
    expect(error.message).toContain(name);
    expect(await storedState(t)).toEqual({ ...before, tmp: [] });
  });

  it('stores identical content once, by sha256, while each upload is its own program', async () => {
    const a = await upload(t, join(fx, 'speech.flac'), 'Bản A');
    const b = await upload(t, join(fx, 'speech.flac'), 'Bản B');
    expect(a.program.asset.sha256).toBe(b.program.asset.sha256);
    expect(a.program.id).not.toBe(b.program.id);
  });

  it('serves Opus and MP3 with Range support to users and gateways, and to nobody else', async () => {
    const { program } = await upload(t, join(fx, 'speech.wav'), 'Range');
    expect((await t.as()(program.asset.url)).status).toBe(401);

    const whole = await t.api(program.asset.url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bytes = new Uint8Array(await whole.arrayBuffer());
    expect(bytes.length).toBe(program.asset.bytes);

    const part = await t.api(program.asset.url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${program.asset.bytes}`);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    const tail = await t.api(program.asset.url, { headers: { range: 'bytes=-50' } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 50));
    expect((await t.api(program.asset.url, { headers: { range: `bytes=${program.asset.bytes + 10}-` } })).status).toBe(416);

    const mp3 = await t.api(program.asset.mp3Url);
    expect(mp3.status).toBe(200);
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    expect((await mp3.arrayBuffer()).byteLength).toBe(program.asset.mp3Bytes);
  });

  it('answers the upload at once with a job whose progress climbs to 1, pushed on /api/events', async () => {
    const events = await t.api('/api/events');
    const reader = events.body!.getReader();
    const res = await uploadProgram(t, join(fx, 'stereo-96k.wav'), 'Tiến độ');
    expect(res.status).toBe(202);
    const { job } = await res.json();
    expect(job).toMatchObject({ kind: 'transcode', status: expect.stringMatching(/queued|running/), progress: 0 });
    const seen: { status: string; progress: number }[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    while (!seen.some((j) => j.status === 'succeeded')) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value);
      for (const m of buffer.matchAll(/event: job\ndata: (.*)\n/g)) {
        const j = JSON.parse(m[1]);
        if (j.id === job.id && !seen.some((s) => s.status === j.status && s.progress === j.progress)) seen.push(j);
      }
    }
    await reader.cancel();
    expect(seen.map((j) => j.status)).toContain('running');
    expect(seen.at(-1)).toMatchObject({ status: 'succeeded', progress: 1 });
    const progress = seen.map((j) => j.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(0);
  });

  it('answers 400 when the file field is missing and 415 when the body is not multipart', async () => {
    const form = new FormData();
    form.set('title', 'Không có tệp');
    const missing = await t.api('/api/programs', { method: 'POST', body: form });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.code).toBe('file_missing');
    const json = await t.api('/api/programs', { method: 'POST', json: { title: 'x' } });
    expect(json.status).toBe(415);
  });
});

/**
 * Like curl: reads the answer as soon as it comes, even if the server stops reading the body
 * (it answers 413 from Content-Length and closes; fetch would report only the broken pipe).
 */
async function earlyAnswer(t: TestSystem, file: string): Promise<{ status: number; error: { code: string; message: string } }> {
  const { request } = await import('node:http');
  const form = new FormData();
  form.set('title', 'Quá lớn');
  form.set('file', new Blob([await readFile(file)]), 'big.wav');
  const body = new Response(form);
  const bytes = Buffer.from(await body.arrayBuffer());
  const cookie = await t.login('admin', ADMIN_PASSWORD);
  return new Promise((resolve, reject) => {
    const req = request(`${t.sys.httpUrl}/api/programs`, {
      method: 'POST', headers: { cookie, 'content-type': body.headers.get('content-type')!, 'content-length': bytes.length },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, error: JSON.parse(text).error }));
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end(bytes);
  });
}

describe('upload limits, over real HTTP', () => {
  const t = useTestSystem({ MAX_UPLOAD_MB: '1', MAX_AUDIO_MINUTES: '0.1' });
  let fx: string;
  beforeAll(async () => {
    fx = join(t.dir, 'fixtures');
    await mkdir(fx);
    await speechLikeWav(join(fx, 'long.wav'), 12);
    await ffmpeg('-i', join(fx, 'long.wav'), '-c:a', 'libopus', '-b:a', '24k', '-live', '1', '-f', 'webm', join(fx, 'long.webm'));
    await ffmpeg('-i', join(fx, 'long.wav'), '-ar', '48000', '-ac', '2', join(fx, 'big.wav'));
  });

  it('refuses a file over MAX_UPLOAD_MB with 413, before reading it all, and keeps nothing', async () => {
    const before = await storedState(t);
    const { status, error } = await earlyAnswer(t, join(fx, 'big.wav'));
    expect(status).toBe(413);
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/1 MB/);
    expect(await storedState(t)).toEqual({ ...before, tmp: [] });
  });

  it('refuses audio longer than MAX_AUDIO_MINUTES with 422, whether the file declares its length or not', async () => {
    const before = await storedState(t);
    for (const name of ['long.wav', 'long.webm']) {
      const { status, error } = await upload(t, join(fx, name));
      expect(status, name).toBe(422);
      expect(error.code, name).toBe('too_long');
    }
    expect(await storedState(t)).toEqual({ ...before, tmp: [] });
  });
});
