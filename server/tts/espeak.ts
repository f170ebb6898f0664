import type { Speech, SpeechRequest, TtsProvider } from './provider.js';
import { TtsError } from './provider.js';

/**
 * The offline default: eSpeak NG compiled to WebAssembly (npm `espeak-ng`, GPL-3.0-or-later),
 * speaking Vietnamese (`-v vi`). Loaded lazily, and only here, so the rest of Loa Làng does not link it.
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
      const { default: ESpeakNg } = await import('espeak-ng');
      const errors: string[] = [];
      const engine = await ESpeakNg({
        // The text goes in a file, so nothing in it can be read as an option.
        arguments: ['-v', voice, '-s', String(wpm), '-p', String(pitch), '-w', 'out.wav', '-f', 'in.txt'],
        preRun: [(m: { FS: { writeFile(path: string, data: string): void } }) => m.FS.writeFile('in.txt', req.text)],
        print: () => {},
        printErr: (line: string) => errors.push(line),
      });
      let audio: Uint8Array;
      try {
        audio = engine.FS.readFile('out.wav');
      } catch {
        throw new TtsError(`espeak-ng produced no audio${errors.length ? `: ${errors.join(' ')}` : ''}`);
      }
      return { audio, ext: 'wav', voice: `espeak-ng/${voice}` };
    },
  };
}
