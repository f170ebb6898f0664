import type { Analysis } from './audio.js';
import { FFMPEG_BASE, runTool, seconds, uploadInput, type AudioTools } from './ffmpeg.js';
import { parseSummaries } from './loudness.js';

/** −16 LUFS integrated, measured as EBU R128 measures it (ITU-R BS.1770 gating), true peak at most −1.5 dBTP. */
export const BROADCAST_LOUDNESS = { integratedLufs: -16, truePeakDb: -1.5 };

/** Pass 2's level controls: found from the measurements before it, corrected from one render to the next. */
export interface Levels {
  /** Brings the source's sample peak to −1 dBFS, so the compressor acts the same on any source level. */
  preGainDb: number;
  /** After compression: what brings the result to −16 LUFS. Loudness follows it dB for dB until the limiter. */
  gainDb: number;
  /** The final limiter's ceiling, dBFS at 48 kHz. */
  limitDb: number;
}

/** Threshold −15 dBFS on a −1 dBFS peak, 6:1, soft knee: about 12 dB off the crest factor of speech. */
export const COMPRESSOR = 'acompressor=threshold=0.1778:ratio=6:attack=3:release=120:knee=3:makeup=1';

/**
 * −4.5 dBFS at 48 kHz. Opus at 23 kbit/s overshoots the limiter's sample peaks by 1.5–3 dB on speech
 * (measured on eleven sources and a 10-minute file): −1.2 to −3.5 dBTP, under the −1.0 ceiling. Limiting at
 * 192 kHz instead cost 3.5 s of CPU per 10 minutes and did not lower the codec's overshoot, which is what
 * sets the true peak. A file that still peaks too high is rendered again, lower.
 */
export const LIMITER_DB = -4.5;

/** The first guess of what the limiter takes off compressed speech at −16 LUFS (0.3–1.5 LU on the fixtures); then measured. */
const GUESSED_LIMITING_LU = 1.0;
/**
 * Near the target, loudness after the limiter rises 0.4–1.0 dB per dB of gain (the more it limits, the
 * less): measured on the fixtures. A miss of the measured render chain is made up with this slope.
 */
const LIMITED_SLOPE = 0.6;
/**
 * What the codecs take off, mostly high frequencies (the MP3 encoder's low-pass), which K-weighting
 * counts: with this, the first render of eleven speech sources landed within 0.5 LU for both codecs.
 */
export const CODEC_LOSS_LU = 0.55;

/** Trim, mono, peak-normalise, compress: the part of the graph the prediction pass and the render share. */
export function frontChain(preGainDb: number, trim: Analysis['trim']): string {
  return `aformat=channel_layouts=mono,atrim=start=${seconds(trim.startMs)}:end=${seconds(trim.endMs)},asetpts=PTS-STARTPTS,`
    + `volume=${preGainDb.toFixed(2)}dB,${COMPRESSOR}`;
}

/** The whole render chain, up to the limiter's output at 48 kHz. */
export function renderChain(l: Levels, trim: Analysis['trim']): string {
  return `${frontChain(l.preGainDb, trim)},volume=${l.gainDb.toFixed(2)}dB,aresample=48000,`
    + `alimiter=limit=${(10 ** (l.limitDb / 20)).toFixed(4)}:attack=1:release=50:level=0`;
}

export const preGainFor = (a: Pick<Analysis, 'samplePeakDb'>) => -1 - a.samplePeakDb;

/** Integrated loudness (EBU R128) of the upload through `chain`, on a decode that writes nothing. */
async function loudnessThrough(tools: AudioTools, input: string, chain: string, signal?: AbortSignal): Promise<number> {
  const { stderr } = await runTool(tools.ffmpegPath, [...FFMPEG_BASE, ...uploadInput(input), '-vn', '-af', `${chain},ebur128=framelog=verbose`, '-f', 'null', '-'], { signal });
  return parseSummaries(stderr)[0]?.integratedLufs ?? Number.NaN;
}

/**
 * Pass 2's levels, measured rather than guessed, on decodes that write nothing. The compressor's effect
 * depends on the speech (its crest factor, its pauses): 2 to 9 LU on the fixtures. So first the trimmed,
 * normalised, compressed audio's loudness is measured (about 1 s of CPU for 10 minutes), then the whole
 * chain's with the gain that would bring it to −16 LUFS if nothing limited it (about 2 s), and the gain
 * is corrected by what the limiter took and what the codecs will take. Speech then lands on the first
 * render, within ±0.5 LU (EBU R128 integrated) for both codecs.
 */
export async function predictLevels(tools: AudioTools, input: string, a: Analysis, t = BROADCAST_LOUDNESS, signal?: AbortSignal): Promise<Levels> {
  const preGainDb = preGainFor(a);
  const compressed = await loudnessThrough(tools, input, frontChain(preGainDb, a.trim), signal);
  const guess = { preGainDb, gainDb: t.integratedLufs - compressed + GUESSED_LIMITING_LU, limitDb: LIMITER_DB };
  const limited = await loudnessThrough(tools, input, renderChain(guess, a.trim), signal);
  const miss = t.integratedLufs + CODEC_LOSS_LU - limited;
  return Number.isFinite(miss) ? { ...guess, gainDb: guess.gainDb + miss / LIMITED_SLOPE } : guess;
}
