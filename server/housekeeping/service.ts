import cron, { type ScheduledTask } from 'node-cron';
import type { Bus, Feature } from '../bus.js';
import type { Clock } from '../clock.js';
import type { HousekeepingJobName } from '../config.js';
import type { Logger } from '../logger.js';

/** The work behind each job; main.ts hands in the functions of the features that own the data. */
export interface HousekeepingTasks {
  /** A full manifest rebuild: items leave and enter the horizon. */
  rebuildManifests: () => Promise<unknown>;
  /** The settling sweep of expected plays (the settlement feature's); none yet: a no-op. */
  settle?: () => Promise<void>;
  purgeSessions: () => number;
  /** Deletes the records (playlogs, audit entries) from before `before`; answers how many of each. */
  pruneRecords: (before: number) => Promise<Record<string, number>>;
  backup: () => Promise<unknown>;
}

const noop = async () => {};

/** The instant `years` calendar years before `now`: records older than that are past their retention. */
export function yearsBefore(now: number, years: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.getTime();
}

/**
 * Work that runs itself, on node-cron schedules in the commune's time zone: what "just after
 * midnight" means is the commune's midnight, not the server's. start() creates the cron tasks,
 * stop() destroys them and waits for a job still running (a backup must finish before the database closes).
 */
export function createHousekeeping({ log, bus, clock, timeZone, schedules, retentionYears, tasks }: {
  log: Logger; bus: Bus; clock: Clock; timeZone: string; schedules: Record<HousekeepingJobName, string | null>;
  /** Playlogs and audit entries are records: kept this many years, then deleted. */
  retentionYears: number;
  tasks: HousekeepingTasks;
}) {
  const work: Record<HousekeepingJobName, () => Promise<unknown> | unknown> = {
    'manifests-daily': tasks.rebuildManifests,
    // Also hourly: a rebuild that failed, or a clock that stepped, is mended within the hour.
    'manifests-safety': tasks.rebuildManifests,
    settle: tasks.settle ?? noop,
    sessions: tasks.purgeSessions,
    retention: () => tasks.pruneRecords(yearsBefore(clock.now(), retentionYears)),
    backup: tasks.backup,
  };
  const cronTasks = new Map<HousekeepingJobName, ScheduledTask>();
  // One run of a job at a time, whether the schedule or runNow() started it.
  const running = new Map<HousekeepingJobName, Promise<void>>();

  function run(job: HousekeepingJobName): Promise<void> {
    const current = running.get(job);
    if (current) return current;
    const started = performance.now();
    const p = (async () => {
      let ok = true;
      try {
        const result = await work[job]();
        // Deleting records deserves a line in the log; the frequent jobs do not.
        (job === 'retention' ? log.info : log.debug)('housekeeping job done', { job, result });
      } catch (err) {
        ok = false;
        log.error('housekeeping job failed', { job, err: String((err as Error)?.stack ?? err) });
      } finally {
        running.delete(job);
        // The wall clock, not the injected one: Prometheus compares this with its own time().
        bus.emit('housekeeping.ran', { job, ok, ms: performance.now() - started, at: Date.now() });
      }
    })();
    running.set(job, p);
    return p;
  }

  const feature: Feature = {
    start() {
      for (const [job, expression] of Object.entries(schedules) as [HousekeepingJobName, string | null][]) {
        if (!expression) continue;
        // unref: the schedules alone never keep a process alive (a script that composes the server ends).
        cronTasks.set(job, cron.schedule(expression, () => run(job), { timezone: timeZone, name: `loalang-${job}`, noOverlap: true, unref: true }));
      }
    },
    async stop() {
      for (const t of cronTasks.values()) await t.destroy();
      cronTasks.clear();
      await Promise.allSettled(running.values());
    },
  };
  return {
    ...feature,
    /** Runs a job now (an operator before an upgrade, a test); resolves when it has finished, either way. */
    runNow: (job: HousekeepingJobName) => run(job),
    /** The next `count` times a job fires after `from` (null when it is switched off). */
    nextRuns(job: HousekeepingJobName, count: number): Date[] | null {
      const expression = schedules[job];
      if (!expression) return null;
      const t = cron.createTask(expression, noop, { timezone: timeZone });
      try {
        return t.getNextRuns(count);
      } finally {
        void t.destroy();
      }
    },
  };
}
export type Housekeeping = ReturnType<typeof createHousekeeping>;
