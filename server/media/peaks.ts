import { Writable } from 'node:stream';

/** Sample rate of the waveform branch: enough for 10 ms windows, little to carry. */
export const PEAK_RATE = 8000;
export const PEAKS_OPTIONS = ['-ac', '1', '-c:a', 'pcm_s16le', '-f', 's16le'];

/** Collects max |sample| per 10 ms window of 16-bit mono PCM. */
export class PeakMeter extends Writable {
  private windows: number[] = [];
  private current = 0;
  private inWindow = 0;
  private carry: Buffer | null = null;
  samples = 0;
  constructor(private readonly perWindow = PEAK_RATE / 100) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = buf.length - (buf.length % 2);
    this.carry = whole < buf.length ? buf.subarray(whole) : null;
    for (let i = 0; i < whole; i += 2) {
      const v = Math.abs(buf.readInt16LE(i));
      if (v > this.current) this.current = v;
      if (++this.inWindow === this.perWindow) {
        this.windows.push(this.current);
        this.current = 0;
        this.inWindow = 0;
      }
    }
    this.samples += whole / 2;
    done();
  }
  get durationMs() {
    return Math.round((this.samples / PEAK_RATE) * 1000);
  }
  /** At most `count` levels, 0–100, each the loudest window of its share of the audio. */
  levels(count = 1000): number[] {
    const all = this.inWindow ? [...this.windows, this.current] : this.windows;
    const per = Math.max(1, Math.ceil(all.length / count));
    const out: number[] = [];
    for (let i = 0; i < all.length; i += per) {
      let max = 0;
      for (let j = i; j < Math.min(all.length, i + per); j++) max = Math.max(max, all[j]);
      out.push(Math.round((max / 32768) * 100));
    }
    return out;
  }
}
