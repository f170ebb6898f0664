import { Writable } from 'node:stream';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import ffmpeg from 'fluent-ffmpeg';

export interface AudioTools {
  ffmpegPath: string;
  ffprobePath: string;
}

/** The bundled binaries unless FFMPEG_PATH / FFPROBE_PATH say otherwise. */
export const audioTools = (over: Partial<AudioTools> = {}): AudioTools => ({
  ffmpegPath: over.ffmpegPath ?? ffmpegInstaller.path,
  ffprobePath: over.ffprobePath ?? ffprobeInstaller.path,
});

export type AudioErrorCode = 'not_audio' | 'no_audio_stream' | 'empty_audio' | 'corrupt_audio' | 'too_long' | 'transcode_failed';

export class AudioError extends Error {
  constructor(readonly code: AudioErrorCode, message: string) {
    super(message);
  }
}

export interface Probe {
  format: string;
  /** Declared by the container or stream header; null when the file does not say (MediaRecorder webm). */
  durationMs: number | null;
  codec: string;
  channels: number;
  sampleRate: number;
}

const command = (tools: AudioTools, input: string) =>
  ffmpeg(input, { stdoutLines: 20 }).setFfmpegPath(tools.ffmpegPath).setFfprobePath(tools.ffprobePath);

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** ffprobe the file: it must hold an audio stream, not longer than `maxMs` if it declares a length. */
export function probeAudio(tools: AudioTools, file: string, maxMs = Infinity): Promise<Probe> {
  return new Promise((resolve, reject) => {
    command(tools, file).ffprobe((err, data) => {
      if (err) return reject(new AudioError('not_audio', 'The file is not audio that ffmpeg can read'));
      const audio = data.streams.find((s) => s.codec_type === 'audio');
      if (!audio) {
        const video = data.streams.some((s) => s.codec_type === 'video');
        return reject(video
          ? new AudioError('no_audio_stream', 'The file holds video but no sound track')
          : new AudioError('not_audio', 'The file has no audio stream'));
      }
      const s = Number(audio.duration ?? data.format.duration);
      if (Number.isFinite(s) && s <= 0) return reject(new AudioError('empty_audio', 'The audio has no duration'));
      const durationMs = Number.isFinite(s) ? Math.round(s * 1000) : null;
      if (durationMs !== null && durationMs > maxMs) return reject(tooLong(durationMs, maxMs));
      resolve({
        format: String(data.format.format_name ?? ''),
        durationMs,
        codec: String(audio.codec_name ?? ''),
        channels: Number(audio.channels ?? 0),
        sampleRate: Number(audio.sample_rate ?? 0),
      });
    });
  });
}

const tooLong = (ms: number, maxMs: number) =>
  new AudioError('too_long', `The audio lasts ${Math.round(ms / 60000)} min; the limit is ${Math.round(maxMs / 60000)} min`);

export interface LoudnessTarget {
  integratedLufs: number;
  truePeakDb: number;
  lra: number;
}
export const BROADCAST_LOUDNESS: LoudnessTarget = { integratedLufs: -16, truePeakDb: -1.5, lra: 11 };

export interface LoudnormMeasure {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

/** Below `noiseDb` for at least `minS` counts as silence at either end; `keepMs` of it is kept next to the sound. */
export const SILENCE = { noiseDb: -50, minS: 0.3, keepMs: 150 };

const target = (t: LoudnessTarget) => `loudnorm=I=${t.integratedLufs}:TP=${t.truePeakDb}:LRA=${t.lra}`;

/** Pass 1's filter: mono, find silences, measure loudness. Nothing is written. */
export const ANALYSIS_FILTER =
  `aformat=channel_layouts=mono,silencedetect=noise=${SILENCE.noiseDb}dB:d=${SILENCE.minS},${target(BROADCAST_LOUDNESS)}:print_format=json`;

/** Pass 2's level controls: found from pass 1's measurement, corrected from one render to the next. */
export interface Levels {
  /** Brings the source's true peak to −1 dBFS, so the compressor acts the same on any source level. */
  preGainDb: number;
  /** After compression: what brings the result to −16 LUFS. Loudness follows it dB for dB. */
  gainDb: number;
  /** The final limiter's ceiling at 192 kHz (sample peaks there ≈ true peaks). */
  limitDb: number;
}

/**
 * Pass 2's graph: trim the silent ends; peak-normalise; a speech compressor (as broadcast speech
 * processing does: it lowers the crest factor, which voices on outdoor horns need anyway); the gain to
 * the target; an oversampled peak limiter with headroom for the codecs' overshoot; split for the three outputs.
 * The compressor comes before the gain, so the gain moves loudness linearly and a render can be corrected exactly.
 */
export function renderGraph(l: Levels, trim: { startMs: number; endMs: number }): string {
  return `[0:a]aformat=channel_layouts=mono,atrim=start=${seconds(trim.startMs)}:end=${seconds(trim.endMs)},asetpts=PTS-STARTPTS,`
    + `volume=${l.preGainDb.toFixed(2)}dB,${COMPRESSOR},volume=${l.gainDb.toFixed(2)}dB,`
    + `aresample=192000,alimiter=limit=${(10 ** (l.limitDb / 20)).toFixed(4)}:attack=1:release=50:level=0,`
    + `aresample=48000,asplit=3[opus][mp3][wave];[wave]aresample=${PEAK_RATE}[peaks]`;
}

/** Threshold −15 dBFS on a −1 dBFS peak, 6:1, soft knee: about 12 dB off the crest factor of speech. */
export const COMPRESSOR = 'acompressor=threshold=0.1778:ratio=6:attack=3:release=120:knee=3:makeup=1';

/**
 * −3 dBFS at 192 kHz to start with: Opus at 24 kbit/s overshoots sample peaks by ~1.5 dB on most speech
 * (up to 3 dB on narrow-band phone audio, which then gets a second, lower, render).
 */
export const LIMITER_DB = -3;

// 24 kbit/s constrained VBR with 60 ms frames: ~178 KiB per broadcast minute whatever the content. Hard CBR
// (-vbr off) was measured to emit rare +4 dBTP spikes on speech; constrained VBR does not. bitexact makes the
// Ogg serial number deterministic, so identical content hashes (and is stored) once.
export const OPUS_OPTIONS = [
  '-map', '[opus]', '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '24k', '-vbr', 'constrained', '-frame_duration', '60',
  '-application', 'voip', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'ogg',
];
export const MP3_OPTIONS = ['-map', '[mp3]', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '64k', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'mp3'];
export const PEAK_RATE = 8000;
export const PEAKS_OPTIONS = ['-map', '[peaks]', '-ac', '1', '-c:a', 'pcm_s16le', '-f', 's16le'];

function lastJsonObject(stderr: string): Record<string, string> {
  const end = stderr.lastIndexOf('}');
  const start = stderr.lastIndexOf('{', end);
  if (start < 0 || end < 0) throw new AudioError('transcode_failed', 'loudnorm printed no measurement');
  return JSON.parse(stderr.slice(start, end + 1));
}

const timemarkMs = (mark: string) => {
  const m = /(\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(mark);
  return m ? Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000) : 0;
};

/** The last `time=HH:MM:SS.cc` ffmpeg printed: how much audio it actually decoded. */
const decodedMs = (stderr: string) => timemarkMs([...stderr.matchAll(/time=(\d+:\d\d:\d\d(?:\.\d+)?)/g)].at(-1)?.[1] ?? '');

/**
 * Runs a prepared command; resolves with the stderr lines that matter (not the progress or per-frame
 * chatter, which can be a hundred thousand lines for two hours), rejects with a readable error.
 */
function run(c: ffmpeg.FfmpegCommand, onProgress?: (decodedMs: number) => void): Promise<string> {
  const kept: string[] = [];
  let lastTime = '';
  return new Promise((resolve, reject) => {
    c.on('stderr', (line: string) => {
      if (line.includes('time=')) lastTime = /time=\S+/.exec(line)?.[0] ?? lastTime;
      else if (!/\bt:\s*[\d.]+\s+(TARGET|M:)/.test(line)) kept.push(line);
    })
      .on('error', (err: Error) => {
        const tail = kept.slice(-3).join(' | ');
        reject(new AudioError('corrupt_audio', `ffmpeg could not decode the audio (${tail || err.message})`));
      })
      .on('progress', (p: { timemark?: string }) => onProgress?.(timemarkMs(p.timemark ?? '')))
      .on('end', () => resolve(`${kept.join('\n')}\n${lastTime}`))
      .run();
  });
}

export interface Silence {
  startMs: number;
  endMs: number;
}

export function parseSilences(stderr: string): Silence[] {
  const out: Silence[] = [];
  for (const m of stderr.matchAll(/silence_(start|end): (-?[\d.]+)/g)) {
    const ms = Math.max(0, Math.round(Number(m[2]) * 1000));
    if (m[1] === 'start') out.push({ startMs: ms, endMs: Infinity });
    else if (out.length) out[out.length - 1].endMs = ms;
  }
  return out;
}

/**
 * Where the sound is: leading and trailing silence cut, a short breath (SILENCE.keepMs) kept at each
 * end so the first and last words are not clipped. Silences inside the audio are left alone.
 */
export function soundBounds(silences: Silence[], totalMs: number): { startMs: number; endMs: number } {
  const lead = silences[0] && silences[0].startMs <= 20 ? silences[0] : undefined;
  const tail = silences.at(-1);
  const startMs = lead ? Math.max(0, Math.min(lead.endMs, totalMs) - SILENCE.keepMs) : 0;
  const endMs = tail && tail !== lead && tail.endMs >= totalMs - 50 ? Math.min(totalMs, tail.startMs + SILENCE.keepMs) : totalMs;
  if ((lead && lead.endMs >= totalMs - 50) || endMs - startMs < 2 * SILENCE.keepMs + 100) {
    throw new AudioError('empty_audio', 'The audio is silent');
  }
  return { startMs, endMs };
}

/**
 * A truncated upload still probes (the header declares the full length) but decodes short.
 * More than 10 % and 0.5 s missing is refused rather than aired cut off.
 */
export function checkComplete(declaredMs: number | null, decoded: number) {
  if (decoded <= 0) throw new AudioError('empty_audio', 'No audio could be decoded from the file');
  if (declaredMs !== null && decoded < declaredMs * 0.9 && declaredMs - decoded > 500) {
    throw new AudioError('corrupt_audio',
      `The file is truncated: it declares ${(declaredMs / 1000).toFixed(1)} s but only ${(decoded / 1000).toFixed(1)} s can be decoded`);
  }
}

export interface Analysis {
  measure: LoudnormMeasure;
  decodedMs: number;
  trim: { startMs: number; endMs: number };
}

/** Pass 1: decode everything once, find the silent ends and measure EBU R128 loudness. */
export async function analyse(tools: AudioTools, input: string, opts: { declaredMs: number | null; maxMs: number; onProgress?: (ms: number) => void }): Promise<Analysis> {
  // A file that does not declare its length is decoded just past the limit, then refused.
  const cap = Number.isFinite(opts.maxMs) ? ['-t', seconds(opts.maxMs + 1000)] : [];
  const stderr = await run(
    command(tools, input).inputOptions(cap).noVideo().audioFilters(ANALYSIS_FILTER).format('null').output('-'),
    opts.onProgress,
  );
  const decoded = decodedMs(stderr);
  if (decoded > opts.maxMs) throw tooLong(decoded, opts.maxMs);
  checkComplete(opts.declaredMs, decoded);
  const measure = lastJsonObject(stderr) as unknown as LoudnormMeasure;
  // -inf: pure digital silence, which cannot be normalised to anything.
  if (!Number.isFinite(Number(measure.input_i))) throw new AudioError('empty_audio', 'The audio is silent');
  return { measure, decodedMs: decoded, trim: soundBounds(parseSilences(stderr), decoded) };
}

/** Collects max |sample| per 10 ms window of 16-bit mono PCM. */
class PeakMeter extends Writable {
  private windows: number[] = [];
  private current = 0;
  private inWindow = 0;
  private carry: Buffer | null = null;
  samples = 0;
  constructor(private readonly perWindow = PEAK_RATE / 100) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = buf.length - (buf.length % 2);
    this.carry = whole < buf.length ? buf.subarray(whole) : null;
    for (let i = 0; i < whole; i += 2) {
      const v = Math.abs(buf.readInt16LE(i));
      if (v > this.current) this.current = v;
      if (++this.inWindow === this.perWindow) {
        this.windows.push(this.current);
        this.current = 0;
        this.inWindow = 0;
      }
    }
    this.samples += whole / 2;
    done();
  }
  /** At most `count` levels, 0–100, each the loudest window of its share of the audio. */
  levels(count = 1000): number[] {
    const all = this.inWindow ? [...this.windows, this.current] : this.windows;
    const per = Math.max(1, Math.ceil(all.length / count));
    const out: number[] = [];
    for (let i = 0; i < all.length; i += per) {
      let max = 0;
      for (let j = i; j < Math.min(all.length, i + per); j++) max = Math.max(max, all[j]);
      out.push(Math.round((max / 32768) * 100));
    }
    return out;
  }
}

export interface Rendition {
  durationMs: number;
  /** ebur128's measurement of the Opus file as written: what the gateways will play. */
  loudnessLufs: number;
  truePeakDb: number;
  levels: Levels;
  renders: number;
  peaks: number[];
}

/** Further than this from the target after encoding, the render is done again, corrected. */
export const LOUDNESS_TOLERANCE_LU = 0.5;
/** Above this after encoding (the −1.5 dBTP target plus the codec's uncertainty), the limiter is lowered and it is rendered again. */
export const TRUE_PEAK_CEILING_DB = -1.0;
/** What the compressor typically takes off speech loudness (measured: 3–5 LU); render 1 adds it back. */
const EXPECTED_COMPRESSION_LU = 4;
const MAX_RENDERS = 4;

/** The first guess: pass 1's loudness, moved by the pre-gain, to the target (the compressor's cost comes back from render 1). */
export function firstLevels(m: LoudnormMeasure, t = BROADCAST_LOUDNESS): Levels {
  const preGainDb = -1 - Number(m.input_tp);
  return { preGainDb, gainDb: t.integratedLufs - (Number(m.input_i) + preGainDb) + EXPECTED_COMPRESSION_LU, limitDb: LIMITER_DB };
}

function parseSummary(stderr: string): Loudness {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const tp = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  if (!i) throw new AudioError('transcode_failed', 'ebur128 printed no integrated loudness');
  return { integratedLufs: Number(i[1]), truePeakDb: tp ? Number(tp[1]) : Number.NaN };
}

/**
 * Pass 2: trimmed, normalised, limited, mono: Opus 24 kbit/s and MP3 64 kbit/s, and waveform peaks,
 * in one decode; then the Opus file is measured (ebur128). When limiting cost loudness or the codec's
 * overshoot broke the true-peak ceiling, it is rendered again with gain and limiter corrected (at most
 * MAX_RENDERS times; most speech needs one).
 */
export async function render(tools: AudioTools, input: string, a: Analysis, out: { opus: string; mp3: string }, onProgress?: (fraction: number) => void): Promise<Rendition> {
  const span = a.trim.endMs - a.trim.startMs;
  const levels = firstLevels(a.measure);
  let result: Rendition | undefined;
  for (let n = 1; n <= MAX_RENDERS; n++) {
    const [from, to] = n === 1 ? [0, 0.7] : [0.7 + (n - 2) * 0.15, 0.85 + (n - 2) * 0.15];
    const meter = new PeakMeter();
    await run(
      command(tools, input).complexFilter(renderGraph(levels, a.trim))
        .output(out.opus).outputOptions(OPUS_OPTIONS)
        .output(out.mp3).outputOptions(MP3_OPTIONS)
        .output(meter).outputOptions(PEAKS_OPTIONS),
      (ms) => onProgress?.(from + Math.min(1, ms / span) * (to - from)),
    );
    // Both renditions are measured: the gain aims between them, the limiter at the higher peak.
    const [m, m3] = await Promise.all([measureEbur128(tools, out.opus), measureEbur128(tools, out.mp3)]);
    result = {
      durationMs: Math.round((meter.samples / PEAK_RATE) * 1000), loudnessLufs: m.integratedLufs, truePeakDb: m.truePeakDb,
      levels: { ...levels }, renders: n, peaks: meter.levels(),
    };
    const target = BROADCAST_LOUDNESS.integratedLufs;
    const miss = target - (m.integratedLufs + m3.integratedLufs) / 2;
    // Codecs can disagree by a LU or more (phone audio): then only aiming exactly between them keeps both close.
    const worst = Math.max(Math.abs(target - m.integratedLufs), Math.abs(target - m3.integratedLufs));
    const peak = Math.max(m.truePeakDb, m3.truePeakDb);
    if (Math.abs(miss) <= LOUDNESS_TOLERANCE_LU && worst <= 0.8 && peak <= TRUE_PEAK_CEILING_DB) break;
    levels.gainDb += miss;
    // Never below −6 dBFS: a peak that does not come down with the limiter is not the limiter's to fix.
    if (peak > TRUE_PEAK_CEILING_DB) levels.limitDb = Math.max(-6, levels.limitDb - (peak - BROADCAST_LOUDNESS.truePeakDb + 0.3));
  }
  return result!;
}

export interface Loudness {
  integratedLufs: number;
  truePeakDb: number;
}

/** EBU R128 integrated loudness and true peak measured with ffmpeg's ebur128 filter (the independent check). */
export async function measureEbur128(tools: AudioTools, file: string): Promise<Loudness> {
  return parseSummary(await run(command(tools, file).noVideo().audioFilters('ebur128=peak=true').format('null').output('-')));
}
