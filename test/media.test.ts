import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureEbur128 } from '../server/media/audio.js';
import { ffmpeg, speechLikeWav, tools } from './helpers/audio.js';
import { startTestSystem, uploadProgram, type TestSystem } from './helpers/system.js';

describe('uploading a program', () => {
  let t: TestSystem;
  let fixtures: string;
  const stored = async () => ({
    assets: await readdir(join(t.dir, 'media/assets')).catch(() => []),
    originals: await readdir(join(t.dir, 'media/originals')).catch(() => []),
    tmp: await readdir(join(t.dir, 'media/tmp')).catch(() => []),
    programs: (await (await t.api('/api/programs')).json()).programs.length as number,
  });

  beforeAll(async () => {
    t = await startTestSystem();
    fixtures = join(t.dir, 'fixtures');
    await (await import('node:fs/promises')).mkdir(fixtures);
    await speechLikeWav(join(fixtures, 'speech.wav'), 30);
    await ffmpeg('-i', join(fixtures, 'speech.wav'), '-c:a', 'libmp3lame', '-b:a', '64k', join(fixtures, 'speech.mp3'));
    const mp3 = await readFile(join(fixtures, 'speech.mp3'));
    await writeFile(join(fixtures, 'truncated.mp3'), mp3.subarray(0, Math.floor(mp3.length * 0.4)));
    await writeFile(join(fixtures, 'notes.mp3'), 'Thông báo: họp thôn lúc 19h tối thứ Bảy.\n'.repeat(50));
    await writeFile(join(fixtures, 'empty.mp3'), '');
  });
  afterAll(() => t.stop());

  it.each([
    ['a text file renamed .mp3', 'notes.mp3', 'not_audio'],
    ['a zero-byte file', 'empty.mp3', 'empty_audio'],
    ['a truncated mp3', 'truncated.mp3', 'corrupt_audio'],
  ])('refuses %s with 422 and stores nothing', async (_what, name, code) => {
    const before = await stored();
    const res = await uploadProgram(t, join(fixtures, name), 'Bad upload');
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain(name);
    const after = await stored();
    expect(after).toEqual({ ...before, tmp: [] });
  });

  it('transcodes to mono Opus at 48 kHz, normalised to −16 LUFS ± 1 LU as ebur128 measures it again [EBU R128]', async () => {
    const res = await uploadProgram(t, join(fixtures, 'speech.mp3'), 'Tuyên truyền Luật Thực hiện dân chủ ở cơ sở');
    expect(res.status).toBe(201);
    const { program } = await res.json();
    const file = join(t.dir, 'media/assets', `${program.asset.sha256}.opus`);
    const measured = await measureEbur128(tools, file);
    expect(Math.abs(measured.integratedLufs - -16)).toBeLessThanOrEqual(1);
    expect(Math.abs(program.asset.loudnessLufs - -16)).toBeLessThanOrEqual(1);
    expect(program.asset.durationMs).toBeGreaterThan(29_800);
    expect(program.asset.durationMs).toBeLessThan(30_300);
    const { probeAudio } = await import('../server/media/audio.js');
    const probe = await probeAudio(tools, file);
    expect(probe).toMatchObject({ codec: 'opus', channels: 1, sampleRate: 48000 });
    // 24 kbit/s mono Opus: well under the 180 KB per broadcast minute target.
    expect(program.asset.bytes / (program.asset.durationMs / 60_000)).toBeLessThan(180 * 1024);
  });

  it('stores identical content once, by sha256', async () => {
    const a = await (await uploadProgram(t, join(fixtures, 'speech.wav'), 'Bản A')).json();
    const b = await (await uploadProgram(t, join(fixtures, 'speech.wav'), 'Bản B')).json();
    expect(a.program.asset.sha256).toBe(b.program.asset.sha256);
    expect(a.program.id).not.toBe(b.program.id);
  });

  it('serves the asset with Range support to users and to gateways, and to nobody else', async () => {
    const { program } = await (await uploadProgram(t, join(fixtures, 'speech.wav'), 'Range')).json();
    const url = `${t.sys.httpUrl}${program.asset.url}`;
    expect((await fetch(url)).status).toBe(401);

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
