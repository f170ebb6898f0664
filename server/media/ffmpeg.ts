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

export const command = (tools: AudioTools, input: string) =>
  ffmpeg(input, { stdoutLines: 20 }).setFfmpegPath(tools.ffmpegPath).setFfprobePath(tools.ffprobePath);

export const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function lastJsonObject(stderr: string): Record<string, string> {
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
export const decodedMs = (stderr: string) => timemarkMs([...stderr.matchAll(/time=(\d+:\d\d:\d\d(?:\.\d+)?)/g)].at(-1)?.[1] ?? '');

/**
 * Runs a prepared command; resolves with the stderr lines that matter (not the progress or per-frame
 * chatter, which can be a hundred thousand lines for two hours), rejects with a readable error.
 */
export function run(c: ffmpeg.FfmpegCommand, onProgress?: (decodedMs: number) => void): Promise<string> {
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

