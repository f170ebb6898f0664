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

export class AudioError extends Error {
  constructor(readonly code: 'not_audio' | 'empty_audio' | 'corrupt_audio' | 'too_long' | 'transcode_failed', message: string) {
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

const command = (tools: AudioTools, input: string) => ffmpeg(input).setFfmpegPath(tools.ffmpegPath).setFfprobePath(tools.ffprobePath);

/** ffprobe the file: it must hold an audio stream with a positive duration. */
export function probeAudio(tools: AudioTools, file: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    command(tools, file).ffprobe((err, data) => {
      if (err) return reject(new AudioError('not_audio', 'The file is not audio that ffmpeg can read'));
      const audio = data.streams.find((s) => s.codec_type === 'audio');
      if (!audio) return reject(new AudioError('not_audio', 'The file has no audio stream'));
      const seconds = Number(audio.duration ?? data.format.duration);
      if (Number.isFinite(seconds) && seconds <= 0) return reject(new AudioError('empty_audio', 'The audio has no duration'));
      resolve({
        format: String(data.format.format_name ?? ''),
        durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : null,
        codec: String(audio.codec_name ?? ''),
        channels: Number(audio.channels ?? 0),
        sampleRate: Number(audio.sample_rate ?? 0),
      });
    });
  });
}

export interface LoudnessTarget {
  integratedLufs: number;
  truePeakDb: number;
  lra: number;
}
export const BROADCAST_LOUDNESS: LoudnessTarget = { integratedLufs: -16, truePeakDb: -1.5, lra: 11 };

interface LoudnormMeasure {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

function lastJsonObject(stderr: string): Record<string, string> {
  const end = stderr.lastIndexOf('}');
  const start = stderr.lastIndexOf('{', end);
  if (start < 0 || end < 0) throw new AudioError('transcode_failed', 'loudnorm printed no measurement');
  return JSON.parse(stderr.slice(start, end + 1));
}

/** Runs ffmpeg with the given output options and resolves with its stderr; rejects with a readable error. */
function run(tools: AudioTools, input: string, output: string, build: (c: ffmpeg.FfmpegCommand) => ffmpeg.FfmpegCommand): Promise<string> {
  return new Promise((resolve, reject) => {
    build(command(tools, input))
      .output(output)
      .on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
        const tail = String(stderr ?? '').trim().split('\n').slice(-3).join(' | ');
        reject(new AudioError('corrupt_audio', `ffmpeg could not decode the audio (${tail || err.message})`));
      })
      .on('end', (_stdout: string | null, stderr: string | null) => resolve(String(stderr ?? '')))
      .run();
  });
}

/** The last `time=HH:MM:SS.cc` ffmpeg printed: how much audio it actually decoded. */
function decodedMs(stderr: string): number {
  const all = [...stderr.matchAll(/time=(\d+):(\d\d):(\d\d(?:\.\d+)?)/g)];
  const last = all.at(-1);
  return last ? Math.round((Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3])) * 1000) : 0;
}

/** Pass 1 of EBU R128 normalisation: decode everything, measure with loudnorm, output discarded. */
export async function measureLoudnorm(
  tools: AudioTools,
  input: string,
  target = BROADCAST_LOUDNESS,
): Promise<{ measure: LoudnormMeasure; decodedMs: number }> {
  const stderr = await run(tools, input, '-', (c) =>
    c.noVideo().audioFilters(`loudnorm=I=${target.integratedLufs}:TP=${target.truePeakDb}:LRA=${target.lra}:print_format=json`).format('null'));
  const measure = lastJsonObject(stderr) as unknown as LoudnormMeasure;
  // -inf: pure digital silence, which cannot be normalised to anything.
  if (!Number.isFinite(Number(measure.input_i))) throw new AudioError('empty_audio', 'The audio is silent');
  return { measure, decodedMs: decodedMs(stderr) };
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

/** The exact filter chain of pass 2; also used verbatim by bench/ for the raw-ffmpeg baseline. */
export function normaliseFilter(m: LoudnormMeasure, target = BROADCAST_LOUDNESS): string {
  return [
    `loudnorm=I=${target.integratedLufs}:TP=${target.truePeakDb}:LRA=${target.lra}`,
    `measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}`,
    `measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true:print_format=json`,
  ].join(':') + ',aresample=48000';
}

// CBR with 60 ms frames caps a broadcast minute at ~179 KiB whatever the content; bitexact makes the
// Ogg serial number deterministic, so identical content hashes (and is stored) once.
export const OPUS_OPTIONS = [
  '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '24k', '-vbr', 'off', '-frame_duration', '60', '-application', 'voip',
  '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'ogg',
];

/**
 * Two-pass loudnorm (EBU R128) to −16 LUFS / −1.5 dBTP, mono Opus 24 kbit/s 48 kHz.
 * Refuses a file that decodes shorter than it declares.
 */
export async function transcodeToOpus(tools: AudioTools, input: string, output: string, declaredMs: number | null): Promise<void> {
  const { measure, decodedMs } = await measureLoudnorm(tools, input);
  checkComplete(declaredMs, decodedMs);
  await run(tools, input, output, (c) => c.noVideo().audioFilters(normaliseFilter(measure)).outputOptions(OPUS_OPTIONS));
}

export interface Loudness {
  integratedLufs: number;
  truePeakDb: number;
}

/** EBU R128 integrated loudness and true peak measured with ffmpeg's ebur128 filter. */
export async function measureEbur128(tools: AudioTools, file: string): Promise<Loudness> {
  const stderr = await run(tools, file, '-', (c) => c.noVideo().audioFilters('ebur128=peak=true').format('null'));
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const tp = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  if (!i) throw new AudioError('transcode_failed', 'ebur128 printed no integrated loudness');
  return { integratedLufs: Number(i[1]), truePeakDb: tp ? Number(tp[1]) : Number.NaN };
}
