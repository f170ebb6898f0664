import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Speech, SpeechRequest, TtsProvider } from './provider.js';
import { TtsError } from './provider.js';

/**
 * eSpeak NG (WebAssembly) synthesises in one synchronous run on the thread that calls it: on the event
 * loop that held the server 2.4 s for 5,000 characters and 5.6 s for 20,000 (measured). So it runs in a
 * worker thread of its own, started per request (about 30 ms, nothing next to the synthesis) and gone,
 * with its memory, when it is done.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { default: ESpeakNg } = await import(workerData.module);
  const errors = [];
  const engine = await ESpeakNg({
    arguments: workerData.args,
    preRun: [(m) => m.FS.writeFile('in.txt', workerData.text)],
    print: () => {},
    printErr: (line) => errors.push(line),
  });
  let audio;
  try {
    audio = engine.FS.readFile('out.wav');
  } catch {
    return parentPort.postMessage({ error: 'espeak-ng produced no audio' + (errors.length ? ': ' + errors.join(' ') : '') });
  }
  parentPort.postMessage({ audio }, [audio.buffer]);
})().catch((err) => parentPort.postMessage({ error: 'espeak-ng failed: ' + (err && err.message || err) }));
`;

const moduleUrl = () => pathToFileURL(createRequire(import.meta.url).resolve('espeak-ng')).href;

function synthesizeInWorker(args: string[], text: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { module: moduleUrl(), args, text } });
    worker.once('message', ({ audio, error }: { audio?: Uint8Array; error?: string }) => {
      void worker.terminate();
      if (error) reject(new TtsError(error));
      else resolve(audio!);
    });
    worker.once('error', (err) => reject(new TtsError(`espeak-ng failed: ${err.message}`)));
    worker.once('exit', (code) => reject(new TtsError(`espeak-ng stopped (exit code ${code})`)));
  });
}

/**
 * The offline default: eSpeak NG compiled to WebAssembly (npm `espeak-ng`, GPL-3.0-or-later),
 * speaking Vietnamese (`-v vi`). Loaded only here, in its worker, so the rest of Loa Làng does not link it.
 * Voices: `vi` and its variants (`vi+f3` is a female-sounding one).
 */
export function espeakProvider(): TtsProvider {
  const voices = ['vi', 'vi+f3', 'vi+m3'] as const;
  return {
    name: 'espeak-ng',
    voices,
    defaultVoice: 'vi',
    async synthesize(req: SpeechRequest): Promise<Speech> {
      const voice = req.voice ?? 'vi';
      if (!(voices as readonly string[]).includes(voice)) throw new TtsError(`Unknown voice ${voice}; espeak-ng has ${voices.join(', ')}`);
      // 150 words a minute is a clear loudspeaker pace; pitch 0–99 around 50, about 2.5 per semitone.
      const wpm = Math.round(150 * (req.speakingRate ?? 1));
      const pitch = Math.max(0, Math.min(99, Math.round(50 + 2.5 * (req.pitch ?? 0))));
      // The text goes in a file, so nothing in it can be read as an option.
      const audio = await synthesizeInWorker(['-v', voice, '-s', String(wpm), '-p', String(pitch), '-w', 'out.wav', '-f', 'in.txt'], req.text);
      return { audio, ext: 'wav', voice: `espeak-ng/${voice}` };
    },
  };
}
