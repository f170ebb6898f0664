import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { sleep, type Timers } from './timers.js';

export type PlayResult = 'completed' | 'interrupted' | 'cancelled' | 'failed';

/**
 * Why a play was stopped, passed as its AbortSignal's reason: pre-empted or stopped (`interrupted`),
 * or withdrawn for good (`cancelled`: removed from the schedule, an emergency cancelled).
 */
export class PlayStop {
  constructor(readonly result: 'interrupted' | 'cancelled', readonly reason?: string) {}

  /** As a play's result and reason. */
  get end(): { result: 'interrupted' | 'cancelled'; reason?: string } {
    return { result: this.result, ...(this.reason ? { reason: this.reason } : {}) };
  }
}

/** How a stopped play ends: what its signal's PlayStop says, else interrupted. */
export const stopOf = (signal: AbortSignal) => (signal.reason instanceof PlayStop ? signal.reason : new PlayStop('interrupted')).end;

export interface PlayRequest {
  occurrenceId: string;
  programId: string;
  startAt: number;
  durationMs: number;
  file: string;
  volume: number;
}

/** Where audio goes. `play` resolves when the audio ended, was stopped through `signal`, or failed. */
export interface AudioSink {
  play(req: PlayRequest, signal: AbortSignal): Promise<{ result: PlayResult; reason?: string }>;
}

/**
 * Plays nothing and appends one JSON line per play to `DIR/sink.jsonl`; it takes the audio's
 * duration by the injected clock, so pre-emption and timing behave as with real speakers.
 */
export function recordSink(dir: string, timers: Timers): AudioSink {
  const file = join(dir, 'sink.jsonl');
  return {
    async play(req, signal) {
      const startedAt = timers.now();
      const finished = await sleep(timers, req.durationMs, signal);
      const result: PlayResult = finished ? 'completed' : stopOf(signal).result;
      const line = { occurrenceId: req.occurrenceId, programId: req.programId, startAt: req.startAt, startedAt, endedAt: timers.now(), result };
      await appendFile(file, JSON.stringify(line) + '\n');
      return { result };
    },
  };
}

/** Wraps a sink to tell when each play begins and ends (the fleet simulator measures with it). */
export function reportingSink(inner: AudioSink, tell: (e: { type: 'play-start' | 'play-end'; occurrenceId: string; result?: string }) => void): AudioSink {
  return {
    async play(req, signal) {
      tell({ type: 'play-start', occurrenceId: req.occurrenceId });
      const outcome = await inner.play(req, signal);
      tell({ type: 'play-end', occurrenceId: req.occurrenceId, result: outcome.result });
      return outcome;
    },
  };
}

function waitExit(child: ChildProcess, signal: AbortSignal): Promise<{ result: PlayResult; reason?: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-500)));
    const onAbort = () => child.kill('SIGTERM');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => resolve({ result: 'failed', reason: err.message }));
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) resolve({ result: stopOf(signal).result });
      else if (code === 0) resolve({ result: 'completed' });
      else resolve({ result: 'failed', reason: `exit ${code}: ${stderr.trim()}` });
    });
  });
}

/**
 * Real speakers. With a template (`--sink-command "ffplay -nodisp -autoexit {file}"`) it runs that
 * through the shell; {file} and {volume} are substituted. By default the bundled ffmpeg decodes to
 * WAV and pipes it into ALSA's `aplay` (the static ffmpeg build has no ALSA output of its own).
 */
export function commandSink(template?: string, ffmpegPath = ffmpegInstaller.path): AudioSink {
  return {
    async play(req, signal) {
      if (template) {
        const cmd = template.replaceAll('{file}', JSON.stringify(req.file)).replaceAll('{volume}', String(req.volume));
        return waitExit(spawn('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] }), signal);
      }
      const gain = (req.volume / 100).toFixed(2);
      const decode = spawn(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-i', req.file, '-af', `volume=${gain}`, '-f', 'wav', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const player = spawn('aplay', ['-q', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      decode.stdout.pipe(player.stdin);
      player.stdin.on('error', () => {});
      signal.addEventListener('abort', () => decode.kill('SIGTERM'), { once: true });
      return waitExit(player, signal);
    },
  };
}
