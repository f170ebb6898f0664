/**
 * Run as its own Node process (`node --import tsx`), as the server runs: normalises and speaks
 * `chars` characters offline and prints the worst event-loop delay seen meanwhile, as JSON. Under the
 * test runner's module loader the WebAssembly engine does not block the way it does in the server.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { espeakProvider } from '../../server/tts/espeak.js';
import { normalizeVietnamese } from '../../server/tts/normalize.js';

const SENTENCE = 'Đề nghị bà con nhân dân thực hiện nghiêm các quy định về phòng cháy chữa cháy trong mùa khô hanh năm 2026. ';
const chars = Number(process.argv[2] ?? 5000);
const text = SENTENCE.repeat(Math.ceil(chars / SENTENCE.length)).slice(0, chars);

// The first call compiles the normaliser's regular expressions (about 50 ms), once per process.
normalizeVietnamese(SENTENCE);
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const speech = await espeakProvider().synthesize({ text: normalizeVietnamese(text) });
await new Promise((resolve) => setTimeout(resolve, 20));
loop.disable();
console.log(JSON.stringify({ worstMs: loop.max / 1e6, audioBytes: speech.audio.length }));
