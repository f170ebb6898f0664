import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import { ApiError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobView {
  id: string;
  kind: 'transcode' | 'tts';
  /** What the job is about, for people: the file name or the program title. */
  label: string;
  status: JobStatus;
  /** 0–1. */
  progress: number;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  result: { programId: string; version: number } | null;
  error: { status: number; code: string; message: string } | null;
}

/** The work of a job: reports progress, and stops (killing its ffmpeg) when the signal aborts at shutdown. */
type Work = (progress: (fraction: number) => void, signal: AbortSignal) => Promise<NonNullable<JobView['result']>>;

/**
 * Background work with progress: at most `concurrency` run at once, the rest wait in order.
 * Jobs live in memory (the newest `keep`): what they produce (programs, assets) is what is durable.
 */
export function createJobs({ bus, clock, log, concurrency, keep = 500 }: { bus: Bus; clock: Clock; log: Logger; concurrency: number; keep?: number }) {
  const jobs = new Map<string, JobView>();
  const waiting: { job: JobView; work: Work }[] = [];
  let running = 0;
  let drained: (() => void) | null = null;
  const aborts = new Map<string, AbortController>();
  const changed = (job: JobView) => bus.emit('job.updated', { job: { ...job } });

  function pump() {
    while (running < concurrency && waiting.length) {
      const { job, work } = waiting.shift()!;
      running++;
      job.status = 'running';
      job.startedAt = clock.now();
      changed(job);
      let reported = 0;
      const progress = (f: number) => {
        job.progress = Math.max(job.progress, Math.min(1, f));
        // Every 2 %: enough for a progress bar, few enough events for a 2-hour file.
        if (job.progress - reported >= 0.02) {
          reported = job.progress;
          changed(job);
        }
      };
      const abort = new AbortController();
      aborts.set(job.id, abort);
      work(progress, abort.signal).then(
        (result) => Object.assign(job, { status: 'succeeded', progress: 1, result }),
        (err) => {
          if (!(err instanceof ApiError)) log.error('job failed', { job: job.id, err: err instanceof Error ? err.stack : String(err) });
          const error = err instanceof ApiError
            ? { status: err.status, code: err.code, message: err.message }
            : { status: 500, code: 'internal', message: 'The job failed on the server; it has been logged' };
          Object.assign(job, { status: 'failed', error });
        },
      ).finally(() => {
        aborts.delete(job.id);
        if (abort.signal.aborted) Object.assign(job, { status: 'failed', error: { status: 503, code: 'shutting_down', message: 'The server stopped while this job ran; upload it again' } });
        job.finishedAt = clock.now();
        running--;
        changed(job);
        pump();
        if (running === 0) drained?.();
      });
    }
  }

  return {
    enqueue(kind: JobView['kind'], label: string, userId: string, work: Work): JobView {
      const job: JobView = {
        id: newId('jb'), kind, label, status: 'queued', progress: 0, createdBy: userId, createdAt: clock.now(),
        startedAt: null, finishedAt: null, result: null, error: null,
      };
      jobs.set(job.id, job);
      for (const id of jobs.keys()) {
        if (jobs.size <= keep) break;
        if (jobs.get(id)!.finishedAt !== null) jobs.delete(id);
      }
      waiting.push({ job, work });
      changed(job);
      pump();
      return { ...job };
    },
    get(id: string): JobView {
      const job = jobs.get(id);
      if (!job) throw notFound('Job', id);
      return { ...job };
    },
    list(): JobView[] {
      return [...jobs.values()].reverse().map((j) => ({ ...j }));
    },
    /** Shutdown: queued jobs fail at once; running ones are told to stop, and waited for up to `graceMs`. */
    async close(graceMs = 5000): Promise<void> {
      for (const { job } of waiting.splice(0)) {
        Object.assign(job, { status: 'failed', finishedAt: clock.now(), error: { status: 503, code: 'shutting_down', message: 'The server stopped before this job ran' } });
        changed(job);
      }
      for (const a of aborts.values()) a.abort();
      if (running > 0) await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    },
  };
}
export type Jobs = ReturnType<typeof createJobs>;
