import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillTemplate, TEMPLATES } from '../server/tts/templates.js';
import { createTestApp, type TestApp } from './helpers/app.js';
import { startFakeGoogleTts } from './helpers/fake-google-tts.js';

const run = promisify(execFile);
const SENTENCE = 'Đề nghị bà con nhân dân thực hiện nghiêm các quy định về phòng cháy chữa cháy trong mùa khô hanh năm 2026. ';
const textOf = (chars: number) => SENTENCE.repeat(Math.ceil(chars / SENTENCE.length)).slice(0, chars);

describe('MAX_SPEECH_CHARS bounds text to speech before any work is done', () => {
  let fake: Awaited<ReturnType<typeof startFakeGoogleTts>>;
  let t: TestApp;
  beforeAll(async () => {
    fake = await startFakeGoogleTts({ secondsPerChar: 0.001 });
    t = await createTestApp({ env: { TTS_PROVIDER: 'google', GOOGLE_TTS_ENDPOINT: fake.endpoint, GOOGLE_TTS_INSECURE: 'true', MAX_SPEECH_CHARS: '1000' } });
  });
  afterAll(async () => {
    await t?.stop();
    await fake?.stop();
  });
  const post = (path: string, json: unknown) => t.api(path, { method: 'POST', json });
  const jobCount = async () => (await (await t.api('/api/jobs')).json()).jobs.length as number;

  it('refuses a longer text with 413 text_too_long, starting no job and sending nothing to the engine', async () => {
    const [jobs, sent] = [await jobCount(), fake.requests.length];
    for (const path of ['/api/programs/tts', '/api/tts/preview']) {
      const res = await post(path, { title: 'Quá dài', text: textOf(1001) });
      expect(res.status, path).toBe(413);
      expect((await res.json()).error).toMatchObject({ code: 'text_too_long', message: expect.stringMatching(/1,001 characters.*at most 1,000/), details: { maxChars: 1000 } });
    }
    expect(await jobCount()).toBe(jobs);
    expect(fake.requests.length).toBe(sent);
  });

  it('counts a filled template too, and refuses a body far too large to hold allowed text before parsing it', async () => {
    const template = TEMPLATES.find((x) => x.id === 'procedure')!;
    const fields = Object.fromEntries(template.fields.map((f) => [f.name, textOf(300)]));
    expect(fillTemplate('procedure', fields).text.length).toBeGreaterThan(1000);
    const filled = await post('/api/programs/tts', { title: 'Mẫu dài', templateId: 'procedure', fields });
    expect(filled.status).toBe(413);
    // Under the server's JSON limit (1 MB) but far over what 5,000 characters can take: refused as text.
    const huge = await post('/api/programs/tts', { title: 'Rất dài', text: 'a'.repeat(500_000) });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('text_too_long');
    // Over the JSON limit every route has, the general refusal comes first.
    const enormous = await post('/api/programs/tts', { title: 'Rất dài', text: 'a'.repeat(2_000_000) });
    expect(enormous.status).toBe(413);
    expect((await enormous.json()).error.code).toBe('body_too_large');
  });

  it('accepts text up to the limit', async () => {
    const res = await post('/api/programs/tts', { title: 'Vừa đủ', text: textOf(1000) });
    expect(res.status).toBe(202);
  });

  it('tells clients the limit with the voices', async () => {
    expect((await (await t.api('/api/tts/voices')).json()).maxChars).toBe(1000);
  });
});

describe('speaking a long text leaves the event loop free', () => {
  it('normalises 5,000 characters and speaks them offline (espeak-ng in a worker thread) with no turn of the event loop held over 200 ms', async () => {
    // In a process of its own, run as the server runs: under the test runner the engine behaves differently.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/helpers/speech-event-loop.ts', '5000']);
    const { worstMs, audioBytes } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    console.log(`worst event-loop delay while normalising and speaking 5,000 characters: ${worstMs.toFixed(1)} ms`);
    // Several minutes of 22.05 kHz 16-bit mono.
    expect(audioBytes).toBeGreaterThan(3 * 60 * 22050 * 2);
    expect(worstMs).toBeLessThan(200);
  }, 60_000);
});
