import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { audioTools } from '../../server/media/audio.js';

export { speechLikeWav } from '../../devices/sim/speech.js';

const run = promisify(execFile);
/** What the server uses: the system's ffmpeg when there is one. */
export const tools = audioTools();

/** Fixtures are made with the bundled static build: it has the encoders phones use (AMR-NB), distributions' builds often do not. */
export async function ffmpeg(...args: string[]) {
  await run(ffmpegInstaller.path, ['-y', '-loglevel', 'error', ...args]);
}
