import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureEbur128 } from '../server/media/render.js';
import { googleProvider } from '../server/tts/google.js';
import { tools } from './helpers/audio.js';
import { startFakeGoogleTts } from './helpers/fake-google-tts.js';
import { createTestApp, useTestApp, type TestApp } from './helpers/app.js';
import { finishedJob } from './helpers/system.js';

const post = (t: TestApp, path: string, json: unknown) => t.api(path, { method: 'POST', json });

async function speak(t: TestApp, body: unknown) {
  const res = await post(t, '/api/programs/tts', body);
  expect(res.status, await res.clone().text()).toBe(202);
  const job = await finishedJob(t, (await res.json()).job.id);
  return job;
}

describe('text to speech, offline by default (espeak-ng, Vietnamese)', () => {
  const t = useTestApp();

  it('turns a filled template into a draft program at broadcast loudness, keeping the text as written', async () => {
    const voices = await (await t.api('/api/tts/voices')).json();
    expect(voices).toMatchObject({ provider: 'espeak-ng', defaultVoice: 'vi' });
    const fields = { who: 'đồng chí Chủ tịch UBND xã', date: '15/12/2026', time: 'từ 7h30 đến 11h', place: 'trụ sở UBND xã' };
    const preview = await (await post(t, '/api/tts/preview', { templateId: 'citizen-reception', fields })).json();
    expect(preview.text).toContain('15/12/2026');
    expect(preview.spoken).toContain('ngày mười lăm tháng mười hai năm hai nghìn không trăm hai mươi sáu');

    const job = await speak(t, { title: 'Lịch tiếp công dân tháng 12', category: 'procedure', templateId: 'citizen-reception', fields });
    expect(job.error).toBeNull();
    const { program } = await (await t.api(`/api/programs/${job.result!.programId}`)).json();
    expect(program).toMatchObject({ title: 'Lịch tiếp công dân tháng 12', category: 'procedure', status: 'draft' });
    expect(program.versions[0]).toMatchObject({ source: 'tts', voice: 'espeak-ng/vi' });
    expect(program.versions[0].text).toContain('15/12/2026');
    // Real speech, several seconds of it, normalised like any upload.
    expect(program.asset.durationMs).toBeGreaterThan(5_000);
    const m = await measureEbur128(tools, join(t.dir, 'media/assets', `${program.asset.sha256}.opus`));
    expect(Math.abs(m.integratedLufs - -16)).toBeLessThanOrEqual(1);
  });

  it('speaks slower with a lower speaking rate', async () => {
    const text = 'Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi.';
    const normal = await speak(t, { title: 'Bình thường', text });
    const slow = await speak(t, { title: 'Chậm', text, speakingRate: 0.6 });
    const duration = async (id: string) => (await (await t.api(`/api/programs/${id}`)).json()).program.asset.durationMs;
    expect(await duration(slow.result!.programId)).toBeGreaterThan((await duration(normal.result!.programId)) * 1.3);
  });

  it('refuses an incomplete template with 422 naming the blanks, and an unknown voice as a failed job', async () => {
    const res = await post(t, '/api/programs/tts', { title: 'Thiếu', templateId: 'procedure', fields: { procedure: 'khai sinh' } });
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatchObject({ code: 'template_incomplete', details: { missing: ['documents', 'place', 'hours'] } });
    const job = await speak(t, { title: 'Giọng lạ', text: 'Xin chào', voice: 'en-us' });
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'tts_failed' });
    expect(job.error!.message).toMatch(/Unknown voice en-us/);
  });
});

describe('text to speech through Google Cloud (a local server speaking the real gRPC protocol)', () => {
  let fake: Awaited<ReturnType<typeof startFakeGoogleTts>>;
  let t: TestApp;
  beforeAll(async () => {
    fake = await startFakeGoogleTts({
      secondsPerChar: 0.01,
      refuse: (req) => (req.voice.name === 'vi-VN-Wavenet-Z' ? { code: grpc.status.INVALID_ARGUMENT, details: 'Voice vi-VN-Wavenet-Z does not exist.', metadata: new grpc.Metadata() } : null),
    });
    // MAX_SPEECH_CHARS raised: the splitting test speaks about 6,000 characters.
    t = await createTestApp({ env: {
      TTS_PROVIDER: 'google', GOOGLE_TTS_ENDPOINT: fake.endpoint, GOOGLE_TTS_INSECURE: 'true', GOOGLE_TTS_VOICE: 'vi-VN-Wavenet-A', MAX_SPEECH_CHARS: '10000',
    } });
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.stop();
  });

  it('sends the normalised text with the vi-VN voice, rate and pitch, and stores the speech it gets back', async () => {
    const job = await speak(t, {
      title: 'Chúc Tết', category: 'greeting', templateId: 'tet-greeting', speakingRate: 0.9, pitch: -2,
      fields: { commune: 'xã Hòa Bình', chair: 'Nguyễn Văn An', lunarYear: 'Bính Ngọ' },
    });
    expect(job.error).toBeNull();
    const req = fake.requests.at(-1)!;
    expect(req.voice).toMatchObject({ languageCode: 'vi-VN', name: 'vi-VN-Wavenet-A' });
    expect(req.audioConfig).toMatchObject({ audioEncoding: 'LINEAR16', sampleRateHertz: 24000, speakingRate: 0.9, pitch: -2 });
    expect(req.input.text).toContain('Hội đồng nhân dân, Ủy ban nhân dân, Ủy ban Mặt trận Tổ quốc xã Hòa Bình');
    expect(req.input.text).not.toMatch(/UBND|HĐND/);
    const { program } = await (await t.api(`/api/programs/${job.result!.programId}`)).json();
    expect(program.versions[0]).toMatchObject({ source: 'tts', voice: 'google/vi-VN-Wavenet-A', status: 'draft' });
    // The fake speaks 10 ms per character here: the greeting is a few hundred characters.
    expect(program.asset.durationMs).toBeGreaterThan(2_000);
  });

  it('splits text longer than the API takes into several requests and joins the audio', async () => {
    const before = fake.requests.length;
    const sentence = 'Đề nghị bà con nhân dân thực hiện nghiêm các quy định về phòng cháy chữa cháy trong mùa khô hanh. ';
    const job = await speak(t, { title: 'Dài', text: sentence.repeat(60) });
    expect(job.error).toBeNull();
    const sent = fake.requests.slice(before);
    expect(sent.length).toBeGreaterThan(1);
    for (const r of sent) expect(Buffer.byteLength(r.input.text!)).toBeLessThanOrEqual(4500);
  });

  it('reports the API refusing a voice as a failed job with its reason', async () => {
    const job = await speak(t, { title: 'Sai giọng', text: 'Xin chào', voice: 'vi-VN-Wavenet-Z' });
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ status: 502, code: 'tts_failed' });
    expect(job.error!.message).toContain('Voice vi-VN-Wavenet-Z does not exist');
  });

  it('the provider alone: a non-Vietnamese voice is refused before any request', async () => {
    const provider = await googleProvider({ endpoint: fake.endpoint, insecure: true });
    const before = fake.requests.length;
    await expect(provider.synthesize({ text: 'hello', voice: 'en-US-Standard-A' })).rejects.toThrow(/not a Vietnamese/);
    expect(fake.requests.length).toBe(before);
    await provider.close?.();
  });
});
