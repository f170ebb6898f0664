import { Writable } from 'node:stream';
import { BROADCAST_LOUDNESS, type Analysis, type LoudnormMeasure } from './audio.js';
import { AudioError, command, run, seconds, type AudioTools } from './ffmpeg.js';

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
