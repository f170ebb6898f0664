import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { correction, measureEbur128, type Rendition } from '../server/media/render.js';
import { parseSummaries } from '../server/media/loudness.js';
import { espeakProvider } from '../server/tts/espeak.js';
import { ffmpeg, tools } from './helpers/audio.js';
import { useTestApp } from './helpers/app.js';

const SPEECH = 'Ủy ban nhân dân xã thông báo: từ ngày mười lăm tháng mười hai, bộ phận một cửa tiếp nhận hồ sơ đăng ký khai sinh, '
  + 'kết hôn và chứng thực vào buổi sáng các ngày trong tuần. Đề nghị bà con mang theo căn cước công dân.';

describe('loudness on the first render (EBU R128, measured with ffmpeg ebur128)', () => {
  const t = useTestApp();
  let fx: string;
  const f = (name: string) => join(fx, name);

  /** The pipeline on `file`, as an upload goes through it, with how the render went. */
  async function ingest(file: string) {
    const path = await t.server.media.tmpPath(file);
    await writeFile(path, await readFile(f(file)));
    const probe = await t.server.media.check(path, file);
    let rendition: Rendition | undefined;
    const asset = await t.server.media.ingest({ path, name: file, probe, onRendered: (r) => (rendition = r) });
    return { asset, rendition: rendition! };
  }

  beforeAll(async () => {
    fx = join(t.dir, 'fixtures');
    await mkdir(fx);
    await writeFile(f('speech.wav'), (await espeakProvider().synthesize({ text: SPEECH })).audio);
    await ffmpeg('-stream_loop', '-1', '-i', f('speech.wav'), '-t', '60', f('minute.wav'));
    await ffmpeg('-i', f('speech.wav'), '-c:a', 'libmp3lame', '-b:a', '96k', f('speech.mp3'));
    await ffmpeg('-i', f('speech.wav'), '-ar', '8000', '-ac', '1', '-c:a', 'libopencore_amrnb', '-b:a', '12.2k', f('memo.amr'));
    await ffmpeg('-i', f('speech.wav'), '-af', 'volume=-20dB', f('quiet.wav'));
    await ffmpeg('-i', f('speech.wav'), '-af', 'volume=12dB,alimiter=limit=1', f('loud.wav'));
  }, 120_000);

  it.each([
    ['espeak-ng speech', 'speech.wav'],
    ['the same as an MP3', 'speech.mp3'],
    ['an AMR phone memo of it', 'memo.amr'],
    ['it 20 dB quieter', 'quiet.wav'],
    ['it 12 dB louder and hard-limited', 'loud.wav'],
  ])('brings %s to −16 ± 0.5 LUFS and ≤ −1.0 dBTP in one render, Opus and MP3 alike', async (_what, file) => {
    const { asset, rendition } = await ingest(file);
    expect(rendition.renders).toBe(1);
    for (const ext of ['opus', 'mp3'] as const) {
      const m = await measureEbur128(tools, t.server.media.assetPath(asset.sha256, ext));
      expect(Math.abs(m.integratedLufs - -16), `${ext} at ${m.integratedLufs} LUFS`).toBeLessThanOrEqual(0.5);
      expect(m.truePeakDb, `${ext} true peak`).toBeLessThanOrEqual(-1.0);
    }
  });

  it('keeps Opus within 180 kB (1000-byte kB) per broadcast minute on a minute of speech', async () => {
    const { asset } = await ingest('minute.wav');
    const perMinute = asset.bytes / (asset.durationMs / 60_000);
    expect(asset.durationMs).toBeGreaterThan(55_000);
    expect(perMinute).toBeLessThanOrEqual(180_000);
  });
});

describe('reading and correcting a render', () => {
  it('takes each ebur128 filter\'s last summary: ffmpeg prints an empty one for the graph it configures first', () => {
    const log = [
      '[Parsed_ebur128_0 @ 0x1] Summary:', '  Integrated loudness:', '    I:         -70.0 LUFS', '  True peak:', '    Peak:       -inf dBFS',
      '[Parsed_ebur128_1 @ 0x2] Summary:', '    I:         -70.0 LUFS',
      '[Parsed_ebur128_0 @ 0x3] Summary:', '  Integrated loudness:', '    I:         -16.2 LUFS', '  True peak:', '    Peak:       -1.4 dBFS',
      '[Parsed_ebur128_1 @ 0x4] Summary:', '    I:         -15.9 LUFS', '  Sample peak:', '    Peak:       -3.5 dBFS',
      'size=N/A time=00:10:00.00 bitrate=N/A speed= 200x',
    ].join('\n');
    expect(parseSummaries(log)).toEqual([
      { filter: 'Parsed_ebur128_0', integratedLufs: -16.2, peakDb: -1.4 },
      { filter: 'Parsed_ebur128_1', integratedLufs: -15.9, peakDb: -3.5 },
    ]);
  });

  const levels = { preGainDb: 1, gainDb: 9, limitDb: -3.5 };
  it('accepts a render within 0.5 LU of −16 LUFS on average, each codec within 0.8, at most −1.0 dBTP', () => {
    expect(correction({ integratedLufs: -16.3, truePeakDb: -1.4 }, { integratedLufs: -16.4, truePeakDb: -2.2 }, levels).ok).toBe(true);
    expect(correction({ integratedLufs: -15.1, truePeakDb: -1.4 }, { integratedLufs: -16.9, truePeakDb: -2.2 }, levels).ok).toBe(false);
  });

  it('aims the next render between the two codecs, and lowers the limiter only for a true peak above −1.0 dBTP', () => {
    const quiet = correction({ integratedLufs: -16.9, truePeakDb: -1.6 }, { integratedLufs: -17.1, truePeakDb: -2.0 }, levels);
    expect(quiet.ok).toBe(false);
    expect(quiet.next).toEqual({ preGainDb: 1, gainDb: 10, limitDb: -3.5 });
    const peaky = correction({ integratedLufs: -16, truePeakDb: -0.4 }, { integratedLufs: -16, truePeakDb: -2 }, levels);
    expect(peaky.ok).toBe(false);
    expect(peaky.next.gainDb).toBe(9);
    expect(peaky.next.limitDb).toBeCloseTo(-3.5 - (-0.4 + 1.5 + 0.3));
  });
});
