/** What to say and how. speakingRate 1 is the voice's normal pace; pitch is in semitones. */
export interface SpeechRequest {
  text: string;
  voice?: string;
  speakingRate?: number;
  pitch?: number;
}

export interface Speech {
  /** A complete audio file (WAV unless `ext` says otherwise), ready for the transcoding pipeline. */
  audio: Uint8Array;
  ext: 'wav' | 'mp3' | 'ogg';
  voice: string;
}

/**
 * Text to speech behind one interface, so the pipeline never knows which engine spoke.
 * The offline engine (eSpeak NG, GPL-3.0) is only ever loaded through its provider module.
 */
export interface TtsProvider {
  readonly name: string;
  readonly voices: readonly string[];
  readonly defaultVoice: string;
  synthesize(req: SpeechRequest): Promise<Speech>;
  close?(): Promise<void>;
}

export class TtsError extends Error {}

/** Splits text into pieces of at most `maxBytes` UTF-8 bytes, at sentence ends where it can, else at spaces. */
export function chunkText(text: string, maxBytes: number): string[] {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  const pieces = text.match(/[^.!?;\n]+[.!?;\n]*/g) ?? [text];
  const out: string[] = [];
  let current = '';
  const push = (piece: string) => {
    if (bytes(piece) <= maxBytes) return out.push(piece);
    let line = '';
    for (const word of piece.split(' ')) {
      if (line && bytes(`${line} ${word}`) > maxBytes) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    if (line) out.push(line);
  };
  for (const p of pieces) {
    if (current && bytes(current + p) > maxBytes) {
      push(current.trim());
      current = '';
    }
    current += p;
  }
  if (current.trim()) push(current.trim());
  return out;
}

/** Joins 16-bit PCM WAV files of the same format into one. */
export function concatWav(files: Uint8Array[]): Uint8Array {
  if (files.length === 1) return files[0];
  const pcm = files.map((f) => {
    const b = Buffer.from(f);
    const at = b.indexOf('data');
    if (b.toString('ascii', 0, 4) !== 'RIFF' || at < 0) throw new TtsError('The speech engine did not return WAV audio');
    return b.subarray(at + 8, at + 8 + b.readUInt32LE(at + 4));
  });
  const first = Buffer.from(files[0]);
  const header = Buffer.from(first.subarray(0, first.indexOf('data') + 8));
  const size = pcm.reduce((n, p) => n + p.length, 0);
  header.writeUInt32LE(header.length - 8 + size, 4);
  header.writeUInt32LE(size, header.length - 4);
  return Buffer.concat([header, ...pcm]);
}
