import type { Readable } from 'node:stream';
import { AudioError, FFMPEG_BASE, ownInput, runTool, type AudioTools } from './ffmpeg.js';

export interface Loudness {
  integratedLufs: number;
  truePeakDb: number;
}

export interface Summary {
  /** The filter instance that printed it, e.g. `Parsed_ebur128_1`. */
  filter: string;
  integratedLufs: number;
  /** Sample or true peak, whichever the filter was asked for; NaN when neither. */
  peakDb: number;
}

const num = (s: string | undefined) => (s === undefined ? Number.NaN : s === '-inf' ? -Infinity : Number(s));

/**
 * Every ebur128 summary in ffmpeg's log, in the order of the filters. ffmpeg 5 configures a
 * filter_complex graph twice and the first, empty, instance prints a summary too: per filter, the last one counts.
 */
export function parseSummaries(stderr: string): Summary[] {
  const byFilter = new Map<string, Summary>();
  for (const m of stderr.matchAll(/\[(Parsed_ebur128_\d+) @ [^\]]+\] Summary:([\s\S]*?)(?=\[Parsed_ebur128_\d+ @ [^\]]+\] Summary:|$)/g)) {
    const block = m[2];
    byFilter.delete(m[1]);
    byFilter.set(m[1], {
      filter: m[1],
      integratedLufs: num(/I:\s+(-?[\d.]+|-inf) LUFS/.exec(block)?.[1]),
      peakDb: num(/Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(block)?.[1]),
    });
  }
  return [...byFilter.values()].sort((a, b) => Number(a.filter.split('_').at(-1)) - Number(b.filter.split('_').at(-1)));
}

const MEASURE = ['-vn', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'];

function loudnessOf(stderr: string): Loudness {
  const [m] = parseSummaries(stderr);
  if (!m || Number.isNaN(m.integratedLufs)) throw new AudioError('transcode_failed', 'ebur128 printed no integrated loudness');
  return { integratedLufs: m.integratedLufs, truePeakDb: m.peakDb };
}

/** EBU R128 integrated loudness and true peak, measured with ffmpeg's ebur128 filter (the independent check). */
export async function measureEbur128(tools: AudioTools, file: string): Promise<Loudness> {
  return loudnessOf((await runTool(tools.ffmpegPath, [...FFMPEG_BASE, ...ownInput(file), ...MEASURE])).stderr);
}

/** The same measurement of a file as it is being written: `stream` carries its bytes, in `format`. */
export async function measureEbur128Stream(tools: AudioTools, stream: Readable, format: string, signal?: AbortSignal): Promise<Loudness> {
  const args = [...FFMPEG_BASE, '-protocol_whitelist', 'pipe', '-f', format, '-i', 'pipe:0', ...MEASURE];
  return loudnessOf((await runTool(tools.ffmpegPath, args, { stdin: stream, signal })).stderr);
}
