import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestApp, type TestApp } from './helpers/app.js';

const BOUNDARY = 'loalang-test-boundary';
const CHUNK = 64 * 1024;

/** A WAV header for `dataBytes` of 16 kHz mono 16-bit PCM. */
function wavHeader(dataBytes: number) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(16000, 24);
  h.writeUInt32LE(32000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * A multipart upload of a `bytes`-byte WAV, generated as it is read (fresh buffers, so anything the
 * server kept would show), failing after `failAfter` bytes if asked. `pulled` counts what was read.
 */
function streamedUpload(bytes: number, opts: { failAfter?: number; category?: string } = {}) {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBản tin dài\r\n`
    + `--${BOUNDARY}\r\nContent-Disposition: form-data; name="category"\r\n\r\n${opts.category ?? 'news'}\r\n`
    + `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="ban-tin.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const counter = { pulled: 0 };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (opts.failAfter !== undefined && counter.pulled >= opts.failAfter) return controller.error(new Error('connection reset by peer'));
      let chunk: Buffer;
      if (sent === 0) chunk = Buffer.concat([head, wavHeader(bytes - 44)]);
      else if (sent < bytes) chunk = Buffer.alloc(Math.min(CHUNK, bytes - sent), sent & 0xff);
      else {
        controller.enqueue(tail);
        return controller.close();
      }
      sent += sent === 0 ? 44 : chunk.length;
      counter.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  const init = { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
  return { init: init as RequestInit, counter };
}

const tmpFiles = (t: TestApp) => readdir(join(t.dir, 'media/tmp')).catch(() => []);

/** The largest growth of this process's resident memory while `fn` runs, sampled every 5 ms. */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growthMb: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, growthMb: (peak - before) / 1048576 };
  } finally {
    clearInterval(timer);
  }
}

describe('multipart uploads are streamed to disk', () => {
  // 150 MB of 16 kHz speech is 78 minutes: refused as too long once it is on disk and probed.
  const t = useTestApp({ env: { MAX_AUDIO_MINUTES: '10' } });

  it('keeps memory flat on a 150 MB upload: the file goes to the tmp dir as it arrives (RSS growth < 60 MB)', async () => {
    // The first upload in a process costs some 35 MB whatever its size (code warming up, the heap's first
    // growth): measured after one, the growth is what this upload's size adds.
    expect((await t.api('/api/programs', streamedUpload(20 * 1024 * 1024).init)).status).toBe(422);
    const { init, counter } = streamedUpload(150 * 1024 * 1024);
    const { value: res, growthMb } = await rssGrowth(() => t.api('/api/programs', init));
    expect(res.status).toBe(422);
    expect((await res.json()).error.code).toBe('too_long');
    expect(counter.pulled).toBeGreaterThan(150 * 1024 * 1024);
    console.log(`RSS growth during a 150 MB streamed upload: ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(60);
    expect(await tmpFiles(t)).toEqual([]);
  }, 120_000);

  it('removes the partial file when the upload is interrupted, and answers 400 bad_multipart', async () => {
    const { init } = streamedUpload(20 * 1024 * 1024, { failAfter: 5 * 1024 * 1024 });
    const res = await t.api('/api/programs', init);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('bad_multipart');
    expect(await tmpFiles(t)).toEqual([]);
  });

  it('removes the file when a form field is refused (400), so a bad form leaves nothing behind', async () => {
    const { init } = streamedUpload(64 * 1024, { category: 'not-a-category' });
    const res = await t.api('/api/programs', init);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_request');
    expect(await tmpFiles(t)).toEqual([]);
  });

  it('answers 400 bad_multipart for a body cut before its closing boundary, keeping nothing', async () => {
    const body = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n${'x'.repeat(1000)}`;
    const res = await t.api('/api/programs', { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('bad_multipart');
    expect(await tmpFiles(t)).toEqual([]);
  });
});

describe('the upload limit without a Content-Length (chunked)', () => {
  const t = useTestApp({ env: { MAX_UPLOAD_MB: '1' } });

  it('answers 413 once the running count passes MAX_UPLOAD_MB, stops reading, and keeps nothing', async () => {
    const { init, counter } = streamedUpload(8 * 1024 * 1024);
    const res = await t.api('/api/programs', init);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'too_large', message: expect.stringMatching(/1 MB/) });
    expect(counter.pulled).toBeLessThan(3 * 1024 * 1024);
    expect(await tmpFiles(t)).toEqual([]);
  });
});
