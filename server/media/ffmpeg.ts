import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Readable, Writable } from 'node:stream';

export { audioTools, type AudioTools } from './tools.js';

export type AudioErrorCode =
  | 'not_audio' | 'no_audio_stream' | 'empty_audio' | 'corrupt_audio' | 'too_long' | 'transcode_failed' | 'playlist_refused' | 'disk_full';

export class AudioError extends Error {
  constructor(readonly code: AudioErrorCode, message: string) {
    super(message);
  }
}

/**
 * The demuxers an upload may be read with: audio files and the containers phones and browsers record
 * into. Everything else is refused before its header is parsed, in particular the demuxers that open
 * other files named inside the upload (HLS playlists, concat scripts, image sequences, DASH manifests).
 */
export const UPLOAD_FORMATS = [
  'wav', 'w64', 'mp3', 'mov', 'mp4', 'm4a', '3gp', '3g2', 'matroska', 'webm', 'ogg', 'flac', 'amr', 'amrnb', 'amrwb', 'aac',
  'aiff', 'caf', 'asf', 'ac3', 'eac3', 'au', 'wv', 'ape', 'avi', 'flv', 'mpeg', 'mpegts',
];

/** Demuxers that follow references to other files or URLs: refused with their own code. */
const FOLLOWS_OTHER_FILES = /^(hls|applehttp|concat|ffconcat|image2|dash|webm_dash_manifest|imf|mpl2|sdp|rtsp|rtp|ffmetadata)$/;

/**
 * How every ffmpeg and ffprobe call opens an upload: the file protocol only (a path, never a URL), and
 * only the demuxers above. ffmpeg checks the format whitelist before reading the header, so a playlist
 * is refused without a single byte of what it names being read.
 */
export const uploadInput = (path: string) => ['-protocol_whitelist', 'file', '-format_whitelist', UPLOAD_FORMATS.join(','), '-i', path];
/** How the pipeline opens what it wrote itself. */
export const ownInput = (path: string) => ['-protocol_whitelist', 'file', '-i', path];

export const seconds = (ms: number) => (ms / 1000).toFixed(3);

const timemarkMs = (mark: string) => {
  const m = /(\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(mark);
  return m ? Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000) : 0;
};

/** The last `time=HH:MM:SS.cc` ffmpeg printed: how much audio it actually decoded. */
export const decodedMs = (stderr: string) => timemarkMs([...stderr.matchAll(/time=(\d+:\d\d:\d\d(?:\.\d+)?)/g)].at(-1)?.[1] ?? '');

const DISK_FULL = /No space left on device|ENOSPC|Disk quota exceeded/i;
export const isDiskFull = (err: unknown) =>
  (err instanceof AudioError && err.code === 'disk_full') || (err as NodeJS.ErrnoException | null)?.code === 'ENOSPC' || (err as NodeJS.ErrnoException | null)?.code === 'EDQUOT';

/** What a failed ffmpeg or ffprobe run means for the person who uploaded the file. */
export function failure(stderr: string, fallback: string): AudioError {
  if (DISK_FULL.test(stderr)) return new AudioError('disk_full', 'The server ran out of disk space while processing the audio');
  const refused = /\[([\w,]+) @ [^\]]+\] Format not on whitelist/.exec(stderr)?.[1];
  if (refused && refused.split(',').some((f) => FOLLOWS_OTHER_FILES.test(f))) {
    return new AudioError('playlist_refused', `The file is a ${refused} playlist or list of other files; upload the audio file itself`);
  }
  if (refused) return new AudioError('not_audio', `The file is not audio that can be broadcast (${refused} is not an accepted format)`);
  const tail = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(size|video:|Conversion failed)/.test(l)).slice(-3).join(' | ');
  return new AudioError('corrupt_audio', `${fallback}${tail ? ` (${tail})` : ''}`);
}

const NICE = 10;

/**
 * No ffmpeg outlives the server: where util-linux's `setpriv` is installed (Debian, Ubuntu), each child
 * gets the kernel's parent-death signal, so even a server killed with SIGKILL takes its children with
 * it; and an orderly exit kills whatever still runs.
 */
const SETPRIV = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) : undefined;
const running = new Set<ChildProcess>();
/** ffmpeg and ffprobe processes running now (tests, shutdown). */
export const runningTools = () => [...running].map((c) => c.pid).filter((p): p is number => p !== undefined);
/** Kills every ffmpeg and ffprobe still running (the server is stopping); resolves once they are gone (at most `waitMs`). */
export async function killTools(waitMs = 2000) {
  const gone = [...running].map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()))));
  for (const c of running) c.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(gone), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs).unref()))]);
  clearTimeout(timer);
}
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export interface RunOptions {
  /** Decoded time so far, from ffmpeg's stats lines. */
  onProgress?: (decodedMs: number) => void;
  /** Where stdout goes (ffmpeg writing `pipe:1`), to each of them; collected into the result when absent. */
  stdout?: Writable | Writable[];
  /** What ffmpeg reads as `pipe:0`. */
  stdin?: Readable;
  /** Kills the process: a sibling render failed, or the job was abandoned. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** stderr without the stats lines (which can be tens of thousands for a long file), then the last stats line. */
  stderr: string;
  stdout: string;
}

/**
 * Runs ffmpeg or ffprobe with `args` (never through a shell). Resolves when it exits 0; rejects with an
 * AudioError saying what went wrong (a full disk, a refused format, or the last lines it printed).
 */
export function runTool(binary: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
    const child = spawn(command, argv, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], signal: opts.signal });
    running.add(child);
    child.once('exit', () => running.delete(child));
    // Transcoding yields the CPU to the server itself: requests, MQTT and manifests come first.
    try {
      if (child.pid) setPriority(child.pid, NICE);
    } catch {
      // Not permitted here: it runs at the server's priority.
    }
    const kept: string[] = [];
    const out: Buffer[] = [];
    let lastStats = '';
    let partial = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r\n|\r|\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('time=')) kept.push(line);
        else {
          lastStats = line;
          opts.onProgress?.(timemarkMs(/time=(\S+)/.exec(line)?.[1] ?? ''));
        }
      }
    });
    if (opts.stdout) for (const w of [opts.stdout].flat()) child.stdout!.pipe(w);
    else child.stdout!.on('data', (d: Buffer) => out.push(d));
    if (opts.stdin) {
      // A reader that quits early (it failed, or was stopped) is not an error of the writer's.
      child.stdin!.on('error', () => {});
      opts.stdin.pipe(child.stdin!);
    }
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') reject(new AudioError('transcode_failed', 'ffmpeg was stopped'));
      else reject(new AudioError('transcode_failed', `ffmpeg could not be started (${err.code ?? err.message})`));
    });
    child.on('close', (code, signal) => {
      const stderr = `${kept.join('\n')}\n${partial}\n${lastStats}`;
      // ffmpeg can exit 0 after a write failed (an output it could not finish): a full disk is never success.
      if (code === 0 && DISK_FULL.test(stderr)) reject(failure(stderr, 'ffmpeg could not write its output'));
      else if (code === 0) resolve({ stderr, stdout: Buffer.concat(out).toString('utf8') });
      else if (code !== null) reject(failure(stderr, 'ffmpeg could not decode the audio'));
      else reject(new AudioError('transcode_failed', `ffmpeg was stopped (${signal})`));
    });
  });
}

/** `-nostdin -hide_banner -y`: never waits on a terminal, never asks before overwriting its own output. */
export const FFMPEG_BASE = ['-nostdin', '-hide_banner', '-y'];
