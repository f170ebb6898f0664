import { and, asc, desc, eq, gte, lte, sql } from 'drizzle-orm';
import { deleteInChunks } from '../db/prune.js';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { deviceAvailability, playlogs, plays, settings } from '../db/schema.js';
import { expandOccurrences, type ProgramRef, type ScheduleDef } from '../domain/occurrences.js';
import type { Logger } from '../logger.js';
import type { Incidents } from './incidents.js';
import { fromReports, fromSilence, OFFLINE_WAIT_MS, reasonKind, type GatewayFacts, type Settlement } from './settle.js';

export type PlayRow = typeof plays.$inferSelect;
export interface PlaysDevice {
  id: string; zoneId: string; createdAt: number; online: boolean; lagSince: number | null;
  telemetry: { diskFreeMb: number; clockOffsetMs?: number } | null;
}
export interface PlaysProgram extends ProgramRef { title: string; category: string }
/** An emergency's expected plays, one per targeted gateway. */
export interface ExpectedPlay { deviceId: string; zoneId: string; occurrenceId: string; broadcastId: string; programId: string; title: string; startAt: number; endAt: number }

export interface PlaysDeps {
  db: Db; bus: Bus; clock: Clock; log: Logger; timeZone: string; incidents: Incidents;
  schedules: () => ScheduleDef[];
  devices: () => PlaysDevice[];
  programs: () => Map<string, PlaysProgram>;
  broadcastPlays: (broadcastId: string) => ExpectedPlay[];
  /** How long after a play should have ended it is settled (its reports have had time to come). */
  graceMs: number;
}

const PRIORITY_RANK = { normal: 0, priority: 1, emergency: 2 } as const;

/**
 * Planned against played. Every play a schedule placed on a gateway becomes an expected play once it
 * should have ended; every expected play is settled exactly once, from the gateway's reports or, when
 * there are none, with the reason the server can know. Missed plays open incidents (grouped).
 */
export function createPlaysService(d: PlaysDeps) {
  const { db, bus, clock, log } = d;
  const owner = 'plays';

  const cursorKey = 'plays.cursor';
  const getCursor = () => Number(db.select().from(settings).where(eq(settings.key, cursorKey)).get()?.value ?? NaN);
  const setCursor = (ms: number) => db.insert(settings).values({ key: cursorKey, value: String(ms), updatedAt: clock.now() })
    .onConflictDoUpdate({ target: settings.key, set: { value: String(ms), updatedAt: clock.now() } }).run();

  const insertPlay = db.insert(plays).values({
    deviceId: sql.placeholder('deviceId'), occurrenceId: sql.placeholder('occurrenceId'), zoneId: sql.placeholder('zoneId'),
    scheduleId: sql.placeholder('scheduleId'), broadcastId: sql.placeholder('broadcastId'), programId: sql.placeholder('programId'),
    title: sql.placeholder('title'), category: sql.placeholder('category'), priority: sql.placeholder('priority'),
    startAt: sql.placeholder('startAt'), endAt: sql.placeholder('endAt'), status: 'expected',
  }).onConflictDoNothing().prepare();

  /** The occurrences that ended in (cursor, to] become expected plays. */
  function expect(to: number) {
    let from = getCursor();
    if (!Number.isFinite(from)) from = to - 3600_000;
    if (to <= from) return 0;
    const programs = d.programs();
    const devices = d.devices();
    const created = new Map(devices.map((x) => [x.id, x.createdAt]));
    const due = expandOccurrences(d.schedules(), devices, programs, { from, to }, d.timeZone)
      .filter((o) => o.endAt <= to && o.startAt >= (created.get(o.deviceId) ?? Infinity));
    // A play the gateway reported whose schedule has since been withdrawn or moved (an announcement
    // stopped while it played) was published all the same: it is accounted for too.
    const zoneOf = new Map(devices.map((x) => [x.id, x.zoneId]));
    const withdrawn = unplannedReports.all(from - OFFLINE_WAIT_MS, to) as { deviceId: string; occurrenceId: string; programId: string; startAt: number; endedAt: number }[];
    db.transaction(() => {
      for (const o of due) {
        const p = programs.get(o.programId)!;
        insertPlay.run({ ...o, scheduleId: o.scheduleId, broadcastId: null, title: p.title, category: p.category });
      }
      for (const r of withdrawn) {
        const p = programs.get(r.programId);
        const zoneId = zoneOf.get(r.deviceId);
        if (!p || !zoneId) continue;
        insertPlay.run({
          ...r, zoneId, scheduleId: null, broadcastId: null, title: p.title, category: p.category, priority: 'normal',
          endAt: Math.max(r.endedAt, r.startAt + p.durationMs),
        });
      }
      setCursor(to);
    });
    return due.length + withdrawn.length;
  }
  const unplannedReports = db.$client.prepare(`select l.device_id as deviceId, l.occurrence_id as occurrenceId, l.program_id as programId,
      min(l.start_at) as startAt, max(l.ended_at) as endedAt from playlogs l
    where l.started_at > ? and l.start_at <= ? and l.occurrence_id like 'oc\\_%' escape '\\'
      and not exists (select 1 from plays p where p.device_id = l.device_id and p.occurrence_id = l.occurrence_id)
    group by l.device_id, l.occurrence_id`);

  function facts(device: PlaysDevice | undefined, startAt: number): GatewayFacts {
    const before = db.select().from(deviceAvailability)
      .where(and(eq(deviceAvailability.deviceId, device?.id ?? ''), lte(deviceAvailability.at, startAt))).orderBy(desc(deviceAvailability.at)).limit(1).get();
    const back = db.select().from(deviceAvailability)
      .where(and(eq(deviceAvailability.deviceId, device?.id ?? ''), gte(deviceAvailability.at, startAt), eq(deviceAvailability.online, true))).orderBy(asc(deviceAvailability.at)).limit(1).get();
    const online = before?.online ?? false;
    return {
      onlineAtStart: online, offlineSince: online ? null : (before?.at ?? device?.createdAt ?? null), onlineNow: device?.online ?? false,
      backOnlineAt: back?.at ?? null, lagSince: device?.lagSince ?? null, diskFreeMb: device?.telemetry?.diskFreeMb ?? null,
      clockOffsetMs: device?.telemetry?.clockOffsetMs ?? null,
    };
  }

  /** What cut a play short: the higher-priority play that started on the same gateway as it ended. */
  function interruptedBy(p: PlayRow, endedAt: number): string | null {
    const cutter = db.select().from(plays)
      .where(and(eq(plays.deviceId, p.deviceId), gte(plays.startAt, p.startAt), lte(plays.startAt, endedAt + 5000))).all()
      .filter((o) => o.occurrenceId !== p.occurrenceId && PRIORITY_RANK[o.priority] > PRIORITY_RANK[p.priority]);
    return cutter.length ? `interrupted by "${cutter[0].title}"` : null;
  }

  function settle(now: number): Settlement[] {
    const due = db.select().from(plays).where(and(eq(plays.status, 'expected'), lte(plays.endAt, now - d.graceMs))).limit(5000).all();
    if (!due.length) return [];
    const devices = new Map(d.devices().map((x) => [x.id, x]));
    const out: Settlement[] = [];
    db.transaction(() => {
      for (const p of due) {
        const reports = db.select().from(playlogs).where(and(eq(playlogs.deviceId, p.deviceId), eq(playlogs.occurrenceId, p.occurrenceId))).all();
        const s = fromReports(reports, () => interruptedBy(p, Math.max(...reports.map((r) => r.endedAt))))
          ?? fromSilence(p, facts(devices.get(p.deviceId), p.startAt), now, d.graceMs);
        if (!s) continue;
        // A gateway whose clock jumped mid-play cannot have played more than the play lasts.
        s.playedMs = Math.min(s.playedMs, p.endAt - p.startAt);
        db.update(plays).set({ status: s.status, reason: s.reason, playedMs: s.playedMs, startedAt: s.startedAt, settledAt: now })
          .where(and(eq(plays.deviceId, p.deviceId), eq(plays.occurrenceId, p.occurrenceId))).run();
        if (s.status === 'missed') d.incidents.missed(p.deviceId, reasonKind(s.reason), s.reason ?? 'missed', p.startAt, now);
        else if (s.status === 'played') d.incidents.played(p.deviceId, now);
        out.push(s);
      }
    });
    return out;
  }

  let sweeping: Promise<unknown> = Promise.resolve();
  /** Expected plays brought up to date and due ones settled. Runs on a timer; serialised. */
  function sweep(): Promise<{ expected: number; settled: number }> {
    const run = async () => {
      const now = clock.now();
      const expected = expect(now - d.graceMs);
      const settled = settle(now);
      if (settled.length) bus.emit('plays.settled', { count: settled.length, missed: settled.filter((s) => s.status === 'missed').length });
      await d.incidents.notify();
      return { expected, settled: settled.length };
    };
    const next = sweeping.then(run, run);
    sweeping = next.catch((err) => log.error('plays sweep failed', { err: String(err) }));
    return next;
  }

  return {
    sweep,
    /** Planned against played, newest first, with what a person needs to read it. */
    list(q: { from?: number; to?: number; zoneId?: string; deviceId?: string; status?: PlayRow['status']; limit: number }): PlayRow[] {
      return db.select().from(plays).where(and(
        q.from !== undefined ? gte(plays.startAt, q.from) : undefined,
        q.to !== undefined ? lte(plays.startAt, q.to) : undefined,
        q.zoneId ? eq(plays.zoneId, q.zoneId) : undefined,
        q.deviceId ? eq(plays.deviceId, q.deviceId) : undefined,
        q.status ? eq(plays.status, q.status) : undefined,
      )).orderBy(desc(plays.startAt)).limit(q.limit).all();
    },
    /** Retention: settled plays that started before `before` go (they are records: years, not days). */
    pruneBefore: (before: number) => deleteInChunks((limit) =>
      db.$client.prepare(`delete from plays where rowid in (select rowid from plays where start_at < ? and status != 'expected' limit ?)`).run(before, limit).changes),
    start() {
      bus.on('broadcast.fired', owner, ({ broadcastId }) => {
        const programs = d.programs();
        db.transaction(() => {
          for (const e of d.broadcastPlays(broadcastId)) {
            insertPlay.run({ ...e, scheduleId: null, priority: 'emergency', category: programs.get(e.programId)?.category ?? 'emergency' });
          }
        });
      });
    },
    stop() {
      bus.removeListeners(owner);
    },
  };
}
export type PlaysService = ReturnType<typeof createPlaysService>;
