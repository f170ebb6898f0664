import { AudioError, decodedMs, FFMPEG_BASE, runTool, seconds, uploadInput, type AudioTools } from './ffmpeg.js';
import { parseSummaries } from './loudness.js';

export { AudioError, audioTools, type AudioErrorCode, type AudioTools } from './ffmpeg.js';

export interface Probe {
  format: string;
  /** Declared by the container or stream header; null when the file does not say (MediaRecorder webm). */
  durationMs: number | null;
  codec: string;
  channels: number;
  sampleRate: number;
}

interface ProbeJson {
  streams?: { codec_type?: string; codec_name?: string; channels?: number; sample_rate?: string; duration?: string }[];
  format?: { format_name?: string; duration?: string };
}

/** ffprobe the file: it must hold an audio stream, not longer than `maxMs` if it declares a length. */
export async function probeAudio(tools: AudioTools, file: string, maxMs = Infinity): Promise<Probe> {
  const { stdout } = await runTool(tools.ffprobePath, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', ...uploadInput(file)])
    .catch((err: AudioError) => {
      if (err.code === 'corrupt_audio') throw new AudioError('not_audio', 'The file is not audio that ffmpeg can read');
      throw err;
    });
  const data = JSON.parse(stdout || '{}') as ProbeJson;
  const streams = data.streams ?? [];
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!audio) {
    throw streams.some((s) => s.codec_type === 'video')
      ? new AudioError('no_audio_stream', 'The file holds video but no sound track')
      : new AudioError('not_audio', 'The file has no audio stream');
  }
  const s = Number(audio.duration ?? data.format?.duration);
  if (Number.isFinite(s) && s <= 0) throw new AudioError('empty_audio', 'The audio has no duration');
  const durationMs = Number.isFinite(s) ? Math.round(s * 1000) : null;
  if (durationMs !== null && durationMs > maxMs) throw tooLong(durationMs, maxMs);
  return {
    format: String(data.format?.format_name ?? ''),
    durationMs,
    codec: String(audio.codec_name ?? ''),
    channels: Number(audio.channels ?? 0),
    sampleRate: Number(audio.sample_rate ?? 0),
  };
}

const tooLong = (ms: number, maxMs: number) =>
  new AudioError('too_long', `The audio lasts ${Math.round(ms / 60000)} min; the limit is ${Math.round(maxMs / 60000)} min`);

/** Below `noiseDb` for at least `minS` counts as silence at either end; `keepMs` of it is kept next to the sound. */
export const SILENCE = { noiseDb: -50, minS: 0.3, keepMs: 150 };

/**
 * Pass 1's filter: mono, find silences, measure loudness (EBU R128) and the sample peak. Nothing is
 * written. The sample peak, not the true peak: it only sets the level the compressor works at, and
 * ebur128's true-peak meter would upsample the whole file to 192 kHz for it.
 */
export const ANALYSIS_FILTER =
  `aformat=channel_layouts=mono,silencedetect=noise=${SILENCE.noiseDb}dB:d=${SILENCE.minS},ebur128=peak=sample:framelog=verbose`;

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
  /** EBU R128 integrated loudness of the source, LUFS. */
  integratedLufs: number;
  /** Highest sample, dBFS. */
  samplePeakDb: number;
  decodedMs: number;
  trim: { startMs: number; endMs: number };
}

/** ebur128 reports −70 LUFS when every block is gated out: nothing but silence or near-silence. */
const GATED_OUT_LUFS = -69.9;

/** Pass 1: decode everything once, find the silent ends, measure loudness and peak. */
export async function analyse(tools: AudioTools, input: string, opts: { declaredMs: number | null; maxMs: number; onProgress?: (ms: number) => void; signal?: AbortSignal }): Promise<Analysis> {
  // A file that does not declare its length is decoded just past the limit, then refused.
  const cap = Number.isFinite(opts.maxMs) ? ['-t', seconds(opts.maxMs + 1000)] : [];
  const { stderr } = await runTool(tools.ffmpegPath, [...FFMPEG_BASE, ...cap, ...uploadInput(input), '-vn', '-af', ANALYSIS_FILTER, '-f', 'null', '-'], {
    onProgress: opts.onProgress, signal: opts.signal,
  });
  const decoded = decodedMs(stderr);
  if (decoded > opts.maxMs) throw tooLong(decoded, opts.maxMs);
  checkComplete(opts.declaredMs, decoded);
  const [m] = parseSummaries(stderr);
  if (!m || !(m.integratedLufs > GATED_OUT_LUFS) || !Number.isFinite(m.peakDb)) throw new AudioError('empty_audio', 'The audio is silent');
  return { integratedLufs: m.integratedLufs, samplePeakDb: m.peakDb, decodedMs: decoded, trim: soundBounds(parseSilences(stderr), decoded) };
}
