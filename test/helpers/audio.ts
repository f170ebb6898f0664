import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { audioTools } from '../../server/media/audio.js';

const run = promisify(execFile);
export const tools = audioTools();

/** A speech-like signal: a gliding voiced tone with a 4 Hz syllable envelope, quiet (about −30 LUFS). */
export async function speechLikeWav(file: string, seconds = 2, extra: string[] = []) {
  const expr = '0.08*sin(2*PI*(140+40*sin(2*PI*2.5*t))*t)*(0.55+0.45*sin(2*PI*4*t))+0.03*sin(2*PI*(420+60*sin(2*PI*3*t))*t)';
  await run(tools.ffmpegPath, ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `aevalsrc=${expr}:s=16000:d=${seconds}`, ...extra, file]);
}

export async function ffmpeg(...args: string[]) {
  await run(tools.ffmpegPath, ['-y', '-loglevel', 'error', ...args]);
}
