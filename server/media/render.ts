import { createWriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Analysis } from './audio.js';
import { FFMPEG_BASE, runTool, uploadInput, type AudioTools } from './ffmpeg.js';
import { BROADCAST_LOUDNESS, predictLevels, renderChain, type Levels } from './levels.js';
import { measureEbur128, measureEbur128Stream, type Loudness } from './loudness.js';
import { PEAK_RATE, PeakMeter, PEAKS_OPTIONS } from './peaks.js';

export { BROADCAST_LOUDNESS, type Levels } from './levels.js';
export { measureEbur128, type Loudness } from './loudness.js';

/**
 * Opus for the gateways: 23 kbit/s constrained VBR, 60 ms frames, speech (voip) tuning, which libopus
 * codes in its hybrid mode (SILK below 8 kHz, CELT above): about 175 kB per broadcast minute, under the
 * 180 kB target. Not wideband-only (`-cutoff 8000`): SILK-only streams decode with sporadic bursts up to
 * +46 dBTP in ffmpeg's own Opus decoder, the one the gateway agent plays with; hybrid ones decoded clean
 * in every test. Not hard CBR: it overshoots more. bitexact makes the Ogg serial number deterministic, so
 * identical content hashes (and is stored) once.
 */
export const OPUS_OPTIONS = [
  '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '23k', '-vbr', 'constrained', '-frame_duration', '60',
  '-application', 'voip', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'ogg',
];
export const MP3_OPTIONS = ['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'mp3'];

export interface Rendition {
  durationMs: number;
  /** ebur128's measurement of the Opus file as written: what the gateways will play. */
  loudnessLufs: number;
  truePeakDb: number;
  /** The same for the MP3 file. */
  mp3: Loudness;
  levels: Levels;
  renders: number;
  peaks: number[];
}

/** Further than this from the target after encoding (the mean of both codecs), the render is done again, corrected. */
export const LOUDNESS_TOLERANCE_LU = 0.5;
/** Either codec further than this from the target: rendered again too. */
const WORST_CODEC_LU = 0.8;
/** Above this after encoding (the −1.5 dBTP target plus the codec's uncertainty), the limiter is lowered and it is rendered again. */
export const TRUE_PEAK_CEILING_DB = -1.0;
const MAX_RENDERS = 4;

export interface RenderOutputs {
  opus: string;
  mp3: string;
}

/**
 * One render: the Opus file and the MP3 file (with the waveform from the same graph) come from two ffmpeg
 * processes running side by side: ffmpeg 5 encodes every output of a process on one thread, two processes
 * put both cores to work. The Opus file, the longer to encode, is measured (ebur128, true peak) as it is
 * written, by a third process reading the same bytes; the MP3 file once it is written. A failure in one
 * stops the others.
 */
async function renderOnce(tools: AudioTools, input: string, a: Analysis, levels: Levels, out: RenderOutputs, onProgress: (ms: number) => void, abandon?: AbortSignal) {
  const chain = renderChain(levels, a.trim);
  const stop = new AbortController();
  // The job abandoned (the server is stopping): every process of this render stops with it.
  if (abandon?.aborted) stop.abort();
  else abandon?.addEventListener('abort', () => stop.abort(), { once: true });
  const signal = stop.signal;
  const file = createWriteStream(out.opus);
  const ogg = new PassThrough();
  const opus = Promise.all([
    runTool(tools.ffmpegPath, [...FFMPEG_BASE, ...uploadInput(input), '-filter_complex', `[0:a]${chain}[opus]`, '-map', '[opus]', ...OPUS_OPTIONS, 'pipe:1'], {
      stdout: [file, ogg], signal, onProgress,
    }),
    measureEbur128Stream(tools, ogg, 'ogg', signal),
    finished(file),
  ]).then(([, loudness]) => loudness);
  const meter = new PeakMeter();
  const mp3 = runTool(tools.ffmpegPath, [
    ...FFMPEG_BASE, ...uploadInput(input), '-filter_complex', `[0:a]${chain},asplit=2[mp3][w];[w]aresample=${PEAK_RATE}[peaks]`,
    '-map', '[mp3]', ...MP3_OPTIONS, out.mp3, '-map', '[peaks]', ...PEAKS_OPTIONS, 'pipe:1',
  ], { stdout: meter, signal })
    .then(() => finished(meter))
    .then(() => measureEbur128(tools, out.mp3));
  try {
    const [o, m] = await Promise.all([opus, mp3]);
    return { opus: o, mp3: m, meter };
  } catch (err) {
    stop.abort();
    file.destroy();
    await Promise.allSettled([opus, mp3]);
    throw err;
  }
}

/** How far the render is from the target, and what to change for the next one. */
export function correction(o: Loudness, m: Loudness, levels: Levels): { ok: boolean; next: Levels } {
  const target = BROADCAST_LOUDNESS.integratedLufs;
  // Codecs can disagree by a LU or more (phone audio): then only aiming exactly between them keeps both close.
  const miss = target - (o.integratedLufs + m.integratedLufs) / 2;
  const worst = Math.max(Math.abs(target - o.integratedLufs), Math.abs(target - m.integratedLufs));
  const peak = Math.max(o.truePeakDb, m.truePeakDb);
  const ok = Math.abs(miss) <= LOUDNESS_TOLERANCE_LU && worst <= WORST_CODEC_LU && peak <= TRUE_PEAK_CEILING_DB;
  const next = { ...levels, gainDb: levels.gainDb + miss };
  // Never below −6 dBFS: a peak that does not come down with the limiter is not the limiter's to fix.
  if (peak > TRUE_PEAK_CEILING_DB) next.limitDb = Math.max(-6, levels.limitDb - (peak - BROADCAST_LOUDNESS.truePeakDb + 0.3));
  return { ok, next };
}

/**
 * Pass 2: the levels measured (two decodes, nothing written), then trimmed, normalised, limited, mono
 * Opus 24 kbit/s and MP3 64 kbit/s, and waveform peaks, each file measured with ebur128.
 * Off target (loudness or true peak), it is rendered again with gain and limiter corrected (at most
 * MAX_RENDERS times; speech lands on the first).
 */
export async function render(tools: AudioTools, input: string, a: Analysis, out: RenderOutputs, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<Rendition> {
  const span = a.trim.endMs - a.trim.startMs;
  let levels = await predictLevels(tools, input, a, undefined, signal);
  onProgress?.(0.1);
  for (let n = 1; ; n++) {
    const [from, to] = n === 1 ? [0.1, 0.85] : [0.85, 0.95];
    const r = await renderOnce(tools, input, a, levels, out, (ms) => onProgress?.(from + Math.min(1, ms / span) * (to - from)), signal);
    const { ok, next } = correction(r.opus, r.mp3, levels);
    if (ok || n === MAX_RENDERS) {
      return {
        durationMs: r.meter.durationMs, loudnessLufs: r.opus.integratedLufs, truePeakDb: r.opus.truePeakDb, mp3: r.mp3,
        levels, renders: n, peaks: r.meter.levels(),
      };
    }
    levels = next;
  }
}
