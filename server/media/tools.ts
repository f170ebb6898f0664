import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';

export interface AudioTools {
  ffmpegPath: string;
  ffprobePath: string;
  /** ffmpeg's version, e.g. `5.1.9-0+deb12u1`, or `unknown` when it did not say. */
  version: string;
  /** Version and path, for the start log and /healthz. */
  label: string;
}

/** Encoders the pipeline cannot do without; an ffmpeg lacking one is passed over. */
const NEEDED_ENCODERS = ['libopus', 'libmp3lame'];

interface Inspection {
  /** The version line's third word, e.g. `5.1.9-0+deb12u1`; null when the binary does not run. */
  version: string | null;
  hasEncoders: boolean;
}
const inspected = new Map<string, Inspection>();

function inspect(ffmpegPath: string): Inspection {
  let found = inspected.get(ffmpegPath);
  if (found) return found;
  found = { version: null, hasEncoders: false };
  try {
    const run = (arg: string) => execFileSync(ffmpegPath, ['-hide_banner', arg], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    found.version = /^ffmpeg version (\S+)/.exec(run('-version'))?.[1] ?? 'unknown';
    const encoders = run('-encoders');
    found.hasEncoders = NEEDED_ENCODERS.every((e) => new RegExp(`\\s${e}\\s`).test(encoders));
  } catch {
    // Not runnable: reported as an unknown version; the bundled build is used unless it was asked for.
  }
  inspected.set(ffmpegPath, found);
  return found;
}

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The first `name` on the search path, or undefined. */
export function onPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  return searchPath.split(delimiter).filter(Boolean).map((dir) => join(dir, name)).find(executable);
}

/**
 * Which ffmpeg parses uploads: FFMPEG_PATH / FFPROBE_PATH when given; else the system's (on PATH), which
 * the distribution keeps patched; else the bundled static build, which is years old. A system ffmpeg
 * without libopus or libmp3lame is passed over for the bundled one.
 */
export function audioTools(over: Partial<Pick<AudioTools, 'ffmpegPath' | 'ffprobePath'>> = {}, searchPath = process.env.PATH ?? ''): AudioTools {
  const ffmpeg = onPath('ffmpeg', searchPath);
  const ffprobe = onPath('ffprobe', searchPath);
  const system = ffmpeg && ffprobe && inspect(ffmpeg).hasEncoders ? { ffmpeg, ffprobe } : undefined;
  const ffmpegPath = over.ffmpegPath ?? system?.ffmpeg ?? ffmpegInstaller.path;
  const ffprobePath = over.ffprobePath ?? system?.ffprobe ?? ffprobeInstaller.path;
  const version = inspect(ffmpegPath).version ?? 'unknown';
  return { ffmpegPath, ffprobePath, version, label: `${version} (${ffmpegPath})` };
}
