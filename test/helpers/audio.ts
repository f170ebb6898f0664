import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { audioTools } from '../../server/media/audio.js';

export { speechLikeWav } from '../../devices/sim/speech.js';

const run = promisify(execFile);
export const tools = audioTools();

export async function ffmpeg(...args: string[]) {
  await run(tools.ffmpegPath, ['-y', '-loglevel', 'error', ...args]);
}
