/**
 * The content pipeline on a long speech file, beside ffmpeg's own two-pass loudnorm in the same run.
 * Ours: media store check + ingest (probe; analysis; compressed-loudness measurement; Opus + waveform and
 * MP3 rendered side by side; ebur128 check of both files; sha256; store), timed with the event loop watched.
 * Baseline: `loudnorm` pass 1 (measure, print_format=json), then pass 2 with the measured values and
 * linear=true, encoding the same source to the same Opus and MP3 in one ffmpeg run. Both results are then
 * measured the same way (ebur128, true peak): the loudness error is |integrated − (−16)| per file.
 * Two sources: `espeak` (Vietnamese speech from the offline TTS engine, the default) and `tones`
 * (the synthetic speech-like sawtooth the tests use, whose 17 dB crest factor makes the limiter work hard).
 *   npx tsx bench/transcode.ts [minutes=10] [espeak|tones] [runs=1]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { speechLikeWav } from '../devices/sim/speech.js';
import { systemClock } from '../server/clock.js';
import { openDb } from '../server/db/client.js';
import { audioTools } from '../server/media/audio.js';
import { measureEbur128, MP3_OPTIONS, OPUS_OPTIONS, type Loudness, type Rendition } from '../server/media/render.js';
import { createMediaStore } from '../server/media/store.js';
import { espeakProvider } from '../server/tts/espeak.js';
import { normalizeVietnamese } from '../server/tts/normalize.js';
import { fillTemplate, TEMPLATES } from '../server/tts/templates.js';

const MINUTES = Number(process.argv[2] ?? 10);
const SOURCE = process.argv[3] ?? 'espeak';
const RUNS = Number(process.argv[4] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'loalang-bench-transcode-'));
const tools = audioTools();
const LOUDNORM = 'loudnorm=I=-16:TP=-1.5:LRA=11';

function ffmpeg(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(tools.ffmpegPath, ['-nostdin', '-hide_banner', '-nostats', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
    p.on('error', reject).on('exit', (code) => (code === 0 ? resolve(stderr) : reject(new Error(`ffmpeg exited ${code}: ${stderr.slice(-500)}`))));
  });
}
/** CPU seconds of this process and of the children it has waited for (Linux /proc; NaN elsewhere). */
function cpuSeconds(): number {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').map(Number);
    return (f[11] + f[12] + f[13] + f[14]) / 100;
  } catch {
    return Number.NaN;
  }
}
/** Wall seconds, CPU seconds, and the result. The machine is shared: CPU time does not depend on what else runs. */
const timed = async <T>(fn: () => Promise<T>): Promise<[number, number, T]> => {
  const [t0, c0] = [performance.now(), cpuSeconds()];
  const v = await fn();
  return [(performance.now() - t0) / 1000, cpuSeconds() - c0, v];
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function makeSource(file: string) {
  if (SOURCE === 'tones') return speechLikeWav(file, MINUTES * 60);
  // About 37 s of Vietnamese, looped to the length asked for.
  const procedure = TEMPLATES.find((t) => t.id === 'procedure')!;
  const text = fillTemplate('procedure', Object.fromEntries(procedure.fields.map((f) => [f.name, f.example]))).text;
  const one = join(dir, 'one.wav');
  writeFileSync(one, (await espeakProvider().synthesize({ text: normalizeVietnamese(text) })).audio);
  await ffmpeg(['-stream_loop', '-1', '-i', one, '-t', String(MINUTES * 60), '-c:a', 'pcm_s16le', file]);
}

/** Ours, with the worst event-loop delay seen while it ran. */
async function ours(media: ReturnType<typeof createMediaStore>, source: string) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let rendition: Rendition | undefined;
  const [s, cpu, asset] = await timed(async () => {
    const upload = await media.tmpPath('speech.wav');
    await copyFile(source, upload);
    const probe = await media.check(upload, 'speech.wav');
    return media.ingest({ path: upload, name: 'speech.wav', probe, onRendered: (r) => (rendition = r) });
  });
  loop.disable();
  return { s, cpu, asset, rendition: rendition!, loopMaxMs: loop.max / 1e6, loopP99Ms: loop.percentile(99) / 1e6 };
}

/** ffmpeg's own two-pass loudnorm to the same Opus and MP3. */
async function baseline(source: string, opus: string, mp3: string) {
  const [s, cpu, type] = await timed(async () => {
    const p1 = await ffmpeg(['-i', source, '-vn', '-af', `aformat=channel_layouts=mono,${LOUDNORM}:print_format=json`, '-f', 'null', '-']);
    const m = JSON.parse(p1.slice(p1.lastIndexOf('{'), p1.lastIndexOf('}') + 1));
    const measured = `measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}`;
    const p2 = await ffmpeg(['-i', source, '-filter_complex',
      `[0:a]aformat=channel_layouts=mono,${LOUDNORM}:${measured}:linear=true:print_format=json,aresample=48000,asplit=2[o][m]`,
      '-map', '[o]', ...OPUS_OPTIONS, opus, '-map', '[m]', ...MP3_OPTIONS, mp3]);
    return JSON.parse(p2.slice(p2.lastIndexOf('{'), p2.lastIndexOf('}') + 1)).normalization_type as string;
  });
  return { s, cpu, type };
}

const error = (l: Loudness) => Math.abs(l.integratedLufs - -16);
const fmt = (l: Loudness) => `${l.integratedLufs.toFixed(1)} LUFS (error ${error(l).toFixed(1)} LU), ${l.truePeakDb.toFixed(1)} dBTP`;

try {
  const source = join(dir, 'speech.wav');
  console.log(`generating ${MINUTES} min of ${SOURCE} audio…`);
  await makeSource(source);
  const { db, sqlite } = openDb(join(dir, 'bench.db'));
  const media = createMediaStore({ db, clock: systemClock, tools, mediaDir: join(dir, 'media'), maxUploadBytes: 2 ** 40, maxDurationMs: 4 * 3600_000 });
  const realtime = MINUTES * 60;
  const runs: Record<string, number>[] = [];
  console.log(`ffmpeg ${tools.label}; source ${MINUTES} min ${SOURCE}, mono WAV (${(statSync(source).size / 1048576).toFixed(1)} MB)`);
  for (let i = 1; i <= RUNS; i++) {
    sqlite.exec('DELETE FROM assets');
    const load = loadavg()[0];
    const o = await ours(media, source);
    const b = await baseline(source, join(dir, 'base.opus'), join(dir, 'base.mp3'));
    const [bo, bm] = [await measureEbur128(tools, join(dir, 'base.opus')), await measureEbur128(tools, join(dir, 'base.mp3'))];
    const r = o.rendition;
    const kBPerMin = o.asset.bytes / (o.asset.durationMs / 60_000) / 1000;
    const rows: [string, string][] = [
      ['ours: check + ingest', `${o.s.toFixed(2)} s  (${(realtime / o.s).toFixed(1)}× realtime, target ≥ 25×), ${o.cpu.toFixed(1)} s CPU, ${r.renders} render(s)`],
      ['baseline: loudnorm two-pass, same encoders', `${b.s.toFixed(2)} s  (${(realtime / b.s).toFixed(1)}× realtime), ${b.cpu.toFixed(1)} s CPU, loudnorm went ${b.type}`],
      ['ratio ours / baseline (target ≤ 1.1)', (o.s / b.s).toFixed(3)],
      ['ours Opus / MP3 (ebur128)', `${fmt({ integratedLufs: r.loudnessLufs, truePeakDb: r.truePeakDb })} / ${fmt(r.mp3)}`],
      ['baseline Opus / MP3 (ebur128)', `${fmt(bo)} / ${fmt(bm)}`],
      ['Opus per broadcast minute (target ≤ 180 kB)', `${kBPerMin.toFixed(1)} kB`],
      ['MP3 64 kbit/s per broadcast minute', `${(o.asset.mp3Bytes! / (o.asset.durationMs / 60_000) / 1000).toFixed(1)} kB`],
      ['worst (p99) event-loop delay during ours', `${o.loopMaxMs.toFixed(1)} ms (${o.loopP99Ms.toFixed(1)} ms)`],
      ['load average when the run started (2 cores)', load.toFixed(2)],
    ];
    console.log(`\nrun ${i}/${RUNS}`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(46)} ${v}`);
    runs.push({
      ours: o.s, baseline: b.s, oursCpu: o.cpu, baseCpu: b.cpu, renders: r.renders, oursError: Math.max(error({ integratedLufs: r.loudnessLufs, truePeakDb: 0 }), error(r.mp3)),
      baseError: Math.max(error(bo), error(bm)), oursPeak: Math.max(r.truePeakDb, r.mp3.truePeakDb), basePeak: Math.max(bo.truePeakDb, bm.truePeakDb),
      kBPerMin, loop: o.loopMaxMs, load,
    });
  }
  if (RUNS > 1) {
    const m = (k: string) => median(runs.map((x) => x[k]));
    console.log(`\nmedian of ${RUNS} runs`);
    console.log(`  ours      ${m('ours').toFixed(2)} s (${(realtime / m('ours')).toFixed(1)}× realtime; ${m('oursCpu').toFixed(1)} s CPU), worst loudness error ${m('oursError').toFixed(2)} LU, true peak ${m('oursPeak').toFixed(1)} dBTP, renders ${m('renders')}`);
    console.log(`  baseline  ${m('baseline').toFixed(2)} s (${(realtime / m('baseline')).toFixed(1)}× realtime; ${m('baseCpu').toFixed(1)} s CPU), worst loudness error ${m('baseError').toFixed(2)} LU, true peak ${m('basePeak').toFixed(1)} dBTP`);
    console.log(`  ratio ${(m('ours') / m('baseline')).toFixed(3)}; Opus ${m('kBPerMin').toFixed(1)} kB/min; worst event-loop delay ${m('loop').toFixed(1)} ms; load average ${m('load').toFixed(2)}`);
  }
  sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
