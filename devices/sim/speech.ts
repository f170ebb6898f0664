import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';

const run = promisify(execFile);

/**
 * A speech-like signal for demos, tests and benchmarks: a harmonic-rich voiced source (sawtooth,
 * gliding 95–145 Hz) band-limited to the telephone band, with a 4 Hz syllable envelope; quiet
 * (about −31 LUFS). Pure sine tones are not speech-like: a 24 kbit/s voice codec distorts them far
 * more than voices.
 */
export async function speechLikeWav(file: string, seconds = 2, extra: string[] = [], ffmpegPath = ffmpegInstaller.path) {
  const f0 = '(120+25*sin(2*PI*1.3*t))';
  const expr = `0.1*(2*(t*${f0}-floor(t*${f0}+0.5)))*pow(0.5+0.5*sin(2*PI*4*t)\\,2)`;
  await run(ffmpegPath, [
    '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `aevalsrc=${expr}:s=16000:d=${seconds}`,
    '-af', 'highpass=f=100,lowpass=f=3500', ...extra, file,
  ]);
}
