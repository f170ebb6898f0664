/**
 * The content pipeline against raw ffmpeg on a 10-minute speech file, in the same run.
 * Ours: media store check + ingest (probe, pass 1 analysis, pass 2 render to Opus + MP3 + waveform,
 * ebur128 check of both outputs, sha256, store). Baseline: the same ffmpeg command lines run directly
 * (pass 1, as many pass-2 renders as ours needed, the two measurements), no Node in between.
 * Two sources: `espeak` (Vietnamese speech from the offline TTS engine, the default) and `tones`
 * (the synthetic speech-like sawtooth the tests use, whose 17 dB crest factor makes the limiter work hard).
 *   npx tsx bench/transcode.ts [minutes=10] [espeak|tones]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { speechLikeWav } from '../devices/sim/speech.js';
import { espeakProvider } from '../server/tts/espeak.js';
import { normalizeVietnamese } from '../server/tts/normalize.js';
import { fillTemplate, TEMPLATES } from '../server/tts/templates.js';
import { systemClock } from '../server/clock.js';
import { openDb } from '../server/db/client.js';
import { ANALYSIS_FILTER, audioTools } from '../server/media/audio.js';
import { MP3_OPTIONS, OPUS_OPTIONS, PEAKS_OPTIONS, renderGraph, type Rendition } from '../server/media/render.js';
import { createMediaStore } from '../server/media/store.js';

const MINUTES = Number(process.argv[2] ?? 10);
const SOURCE = process.argv[3] ?? 'espeak';
const dir = mkdtempSync(join(tmpdir(), 'loalang-bench-transcode-'));
const tools = audioTools();

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(tools.ffmpegPath, ['-hide_banner', '-nostats', '-y', ...args], { stdio: ['ignore', 'ignore', 'ignore'] });
    p.on('error', reject).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${args.join(' ')}`))));
  });
}
const seconds = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};

try {
  const source = join(dir, 'speech.wav');
  console.log(`generating ${MINUTES} min of ${SOURCE} audio…`);
  if (SOURCE === 'tones') await speechLikeWav(source, MINUTES * 60);
  else {
    // About 12 s of Vietnamese, concatenated to the length asked for.
    const speech = await espeakProvider().synthesize({ text: normalizeVietnamese(fillTemplate('procedure', Object.fromEntries(
      TEMPLATES.find((t) => t.id === 'procedure')!.fields.map((f) => [f.name, f.example]))).text) });
    const one = join(dir, 'one.wav');
    writeFileSync(one, speech.audio);
    await ffmpeg(['-stream_loop', '-1', '-i', one, '-t', String(MINUTES * 60), '-c:a', 'pcm_s16le', source]);
  }
  const { db, sqlite } = openDb(join(dir, 'bench.db'));
  const media = createMediaStore({ db, clock: systemClock, tools, mediaDir: join(dir, 'media'), maxUploadBytes: 2 ** 40, maxDurationMs: 4 * 3600_000 });

  let rendition: Rendition | undefined;
  let asset: Awaited<ReturnType<typeof media.ingest>> | undefined;
  const ours = await seconds(async () => {
    const upload = await media.tmpPath('speech.wav');
    await copyFile(source, upload);
    const probe = await media.check(upload, 'speech.wav');
    asset = await media.ingest({ path: upload, name: 'speech.wav', probe, onRendered: (r) => (rendition = r) });
  });

  // The same command lines, straight from a shell's point of view.
  const opus = join(dir, 'raw.opus');
  const mp3 = join(dir, 'raw.mp3');
  const r = rendition!;
  const trim = { startMs: 0, endMs: MINUTES * 60_000 };
  const raw = await seconds(async () => {
    await ffmpeg(['-i', source, '-vn', '-af', ANALYSIS_FILTER, '-f', 'null', '-']);
    for (let i = 0; i < r.renders; i++) {
      await ffmpeg(['-i', source, '-filter_complex', renderGraph(r.levels, trim), ...OPUS_OPTIONS, opus, ...MP3_OPTIONS, mp3, ...PEAKS_OPTIONS, '-']);
      await Promise.all([opus, mp3].map((f) => ffmpeg(['-i', f, '-vn', '-af', 'ebur128=peak=true', '-f', 'null', '-'])));
    }
  });

  const audioMinutes = asset!.durationMs / 60_000;
  const rows: [string, string][] = [
    ['audio', `${MINUTES} min ${SOURCE}, mono WAV (${(statSync(source).size / 1048576).toFixed(1)} MB)`],
    ['pass-2 renders needed', String(r.renders)],
    ['ours (check + ingest)', `${ours.toFixed(2)} s  (${((MINUTES * 60) / ours).toFixed(0)}× realtime)`],
    ['raw ffmpeg CLI, same commands', `${raw.toFixed(2)} s  (${((MINUTES * 60) / raw).toFixed(0)}× realtime)`],
    ['ratio ours / raw (target ≤ 1.1)', (ours / raw).toFixed(3)],
    ['Opus bytes per broadcast minute (target ≤ 180 KB)', `${(asset!.bytes / audioMinutes / 1024).toFixed(1)} KiB (${(asset!.bytes / audioMinutes / 1000).toFixed(1)} kB)`],
    ['MP3 64 kbit/s bytes per minute', `${(asset!.mp3Bytes! / audioMinutes / 1000).toFixed(1)} KB`],
    ['measured Opus loudness / true peak', `${asset!.loudnessLufs} LUFS / ${asset!.truePeakDb} dBTP`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(52)} ${v}`);
  sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
