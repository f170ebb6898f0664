import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBus } from '../server/bus.js';
import { HOUSEKEEPING_JOBS, parseConfig, type HousekeepingJobName } from '../server/config.js';
import { toZonedIso } from '../server/domain/time.js';
import { createHousekeeping } from '../server/housekeeping/service.js';
import { createLogger } from '../server/logger.js';
import { useTestApp } from './helpers/app.js';

const TZ = 'Asia/Ho_Chi_Minh';
const log = createLogger('silent');

/** Housekeeping on the default schedules, with each job recording the commune's local time it ran at. */
function recorded(timeZone = TZ, env: Record<string, string> = {}, failing: HousekeepingJobName[] = []) {
  const bus = createBus(log);
  const runs: Record<string, string[]> = Object.fromEntries(HOUSEKEEPING_JOBS.map((j) => [j, []]));
  const outcomes: { job: string; ok: boolean }[] = [];
  bus.on('housekeeping.ran', 'test', ({ job, ok }) => void outcomes.push({ job, ok }));
  const at = (job: HousekeepingJobName) => async () => {
    runs[job].push(toZonedIso(Date.now(), timeZone));
    if (failing.includes(job)) throw new Error(`${job} failed on purpose`);
  };
  let rebuilds = 0;
  const housekeeping = createHousekeeping({
    log, bus, clock: { now: () => Date.now() }, timeZone, schedules: parseConfig(env).housekeeping.schedules, retentionYears: 5,
    tasks: {
      // Both manifest jobs call the same rebuild: tell them apart by the minute they fire at.
      rebuildManifests: async () => {
        rebuilds++;
        runs[new Date().getUTCMinutes() === 17 ? 'manifests-safety' : 'manifests-daily'].push(toZonedIso(Date.now(), timeZone));
      },
      settle: at('settle'),
      purgeSessions: () => (runs.sessions.push(toZonedIso(Date.now(), timeZone)), 0),
      pruneRecords: async () => (await at('retention')(), {}),
      backup: at('backup'),
    },
  });
  return { housekeeping, runs, outcomes, rebuilds: () => rebuilds };
}

describe('housekeeping on node-cron, in the commune\'s time zone, under a fake clock', () => {
  afterEach(() => void vi.useRealTimers());

  it('fires every default job at its local time over a day in Asia/Ho_Chi_Minh', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-02T23:50:00+07:00') });
    const { housekeeping, runs } = recorded();
    housekeeping.start();
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    await housekeeping.stop();

    expect(runs['manifests-daily']).toEqual(['2026-03-03T00:01:00+07:00']);
    expect(runs.retention).toEqual(['2026-03-03T02:30:00+07:00']);
    expect(runs.backup).toEqual(['2026-03-03T03:00:00+07:00']);
    expect(runs['manifests-safety']).toHaveLength(24);
    expect(runs['manifests-safety'][0]).toBe('2026-03-03T00:17:00+07:00');
    expect(runs.sessions).toHaveLength(24);
    expect(runs.sessions[0]).toBe('2026-03-03T00:07:00+07:00');
    // Every five minutes from 23:55 to 23:45 the next evening.
    expect(runs.settle).toHaveLength(288);
    expect(runs.settle.slice(0, 2)).toEqual(['2026-03-02T23:55:00+07:00', '2026-03-03T00:00:00+07:00']);
  });

  it('follows COMMUNE_TZ: the nightly jobs fire at local midnight and 03:00 in another zone, not at UTC\'s', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-07-01T23:30:00+02:00') });
    const { housekeeping, runs } = recorded('Europe/Berlin');
    housekeeping.start();
    await vi.advanceTimersByTimeAsync(6 * 3600_000);
    await housekeeping.stop();
    expect(runs['manifests-daily']).toEqual(['2026-07-02T00:01:00+02:00']);
    expect(runs.backup).toEqual(['2026-07-02T03:00:00+02:00']);
  });

  it('tells the next runs of a job in the commune\'s time, and nothing for a job switched off', () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-02T08:00:00+07:00') });
    const { housekeeping } = recorded(TZ, { CRON_SETTLE: 'off', CRON_BACKUP: '15 1 * * 0' });
    expect(housekeeping.nextRuns('backup', 2)!.map((d) => toZonedIso(d.getTime(), TZ))).toEqual(['2026-03-08T01:15:00+07:00', '2026-03-15T01:15:00+07:00']);
    expect(housekeeping.nextRuns('manifests-daily', 1)!.map((d) => toZonedIso(d.getTime(), TZ))).toEqual(['2026-03-03T00:01:00+07:00']);
    expect(housekeeping.nextRuns('settle', 1)).toBeNull();
  });

  it('runs nothing after stop()', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-02T08:00:00+07:00') });
    const { housekeeping, runs, rebuilds } = recorded();
    housekeeping.start();
    await housekeeping.stop();
    await vi.advanceTimersByTimeAsync(48 * 3600_000);
    expect(Object.values(runs).flat()).toEqual([]);
    expect(rebuilds()).toBe(0);
  });

  it('logs a failing job, reports it on the bus, and runs it again at its next time', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-02T02:00:00+07:00') });
    const { housekeeping, runs, outcomes } = recorded(TZ, {}, ['backup']);
    housekeeping.start();
    await vi.advanceTimersByTimeAsync(48 * 3600_000);
    await housekeeping.stop();
    expect(runs.backup).toEqual(['2026-03-02T03:00:00+07:00', '2026-03-03T03:00:00+07:00']);
    expect(outcomes.filter((o) => o.job === 'backup')).toEqual([{ job: 'backup', ok: false }, { job: 'backup', ok: false }]);
    expect(outcomes.filter((o) => o.job === 'retention').every((o) => o.ok)).toBe(true);
  });

  it('refuses a schedule that is not a cron expression when the configuration is read', () => {
    expect(() => parseConfig({ CRON_BACKUP: 'every night' })).toThrow(/CRON_BACKUP/);
    expect(parseConfig({ CRON_BACKUP: 'off' }).housekeeping.schedules.backup).toBeNull();
  });
});

describe('housekeeping composed into the server', () => {
  // Every second, on the real clock: the one place the server's own start() is seen to arm node-cron.
  const t = useTestApp({ env: { CRON_SESSIONS: '* * * * * *' } });

  it('arms its schedules when the server starts, on the real clock', async () => {
    const ran = await new Promise<{ job: string; ok: boolean }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no housekeeping run within 3 s')), 3000);
      t.server.bus.on('housekeeping.ran', 'test', (e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
    expect(ran).toMatchObject({ job: 'sessions', ok: true });
    expect(t.server.housekeeping.nextRuns('backup', 1)).toBeNull();
  });
});
