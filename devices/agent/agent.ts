import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { openCommand, openManifest, safeJson, serverState, topics, type DeviceEvent, type Manifest, type ManifestItem, type Telemetry } from '../protocol/index.js';
import { downloadAsset, verifyFile, type FileStamp } from './download.js';
import { Outbox } from './outbox.js';
import { writeFileAtomic } from './files.js';
import type { AudioSink } from './sinks.js';
import { at, realTimers, sleep, type Timers } from './timers.js';

export const AGENT_VERSION = '0.1.0';
const PRIORITY_RANK = { normal: 0, priority: 1, emergency: 2 } as const;
/** The cached file is re-verified this long before startAt, so hashing never delays the start. */
const PREPARE_MS = 500;
/** An asset left out of the cache by the disk budget is fetched this long before it plays. */
const JUST_IN_TIME_MS = 15 * 60_000;

export interface AgentOptions {
  id: string;
  secret: string;
  /** HTTP base URL of the server; relative asset URLs resolve against it. */
  server: string;
  mqttUrl: string;
  /** SPKI PEM of the server's Ed25519 key, pinned at provisioning. */
  serverPublicKey: string;
  cacheDir: string;
  sink: AudioSink;
  timers?: Timers;
  keepaliveSec?: number;
  telemetryMs?: number;
  /** A play that could not start within this many ms of its startAt is logged as missed. */
  lateToleranceMs?: number;
  volume?: number;
  /** Disk the asset cache may use; assets needed soonest are kept, later ones fetched just in time. Default 1024 MB. */
  cacheBudgetMb?: number;
  /** Called after a manifest is verified and stored (fleet simulator and benchmarks measure with it). */
  onApplied?: (version: number) => void;
  /** reboot-agent: how to restart (the CLI exits and lets systemd start it again). */
  onReboot?: () => void;
  /** Reconnect backoff: exponential from min to max, with full random jitter (real time, not the play clock). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  log?: (msg: string, extra?: object) => void;
}

interface Persisted {
  session: number;
  /** Highest command seq accepted: a replayed or reordered command is refused. */
  lastCommandSeq?: number;
  volume?: number;
  /** occurrenceId → startAt of everything already started, so nothing plays twice (even after a restart). */
  played: Record<string, number>;
}

interface Playing {
  item: ManifestItem;
  startedAt: number;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The gateway agent: keeps the signed manifest and its audio in a local cache and plays each item
 * at its startAt from that cache, connected or not. Reports state, telemetry and what it played.
 */
export class GatewayAgent {
  readonly timers: Timers;
  private client?: MqttClient;
  private manifest?: Manifest;
  private state: Persisted = { session: 0, played: {} };
  private cancels = new Map<string, () => void>();
  private downloads = new Map<string, Promise<string | null>>();
  private prepared = new Map<string, Promise<string | null>>();
  private inFlight = new Set<Promise<unknown>>();
  private playing?: Playing;
  private waiting: ManifestItem[] = [];
  private telemetryCancel?: () => void;
  private stopped = false;
  private readonly auth: string;
  private readonly outbox: Outbox;
  private reconnectAttempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly log: (msg: string, extra?: object) => void;

  constructor(private readonly o: AgentOptions) {
    this.timers = o.timers ?? realTimers;
    this.auth = 'Basic ' + Buffer.from(`${o.id}:${o.secret}`).toString('base64');
    this.log = o.log ?? (() => {});
    this.outbox = new Outbox(join(o.cacheDir, 'outbox'), () => this.timers.now(), (payload) => this.publishAcked(topics.event(o.id), payload), () => !!this.client?.connected);
  }

  private path = (...p: string[]) => join(this.o.cacheDir, ...p);
  get manifestVersion() {
    return this.manifest?.version ?? 0;
  }
  get session() {
    return this.state.session;
  }
  get mqtt() {
    return this.client;
  }

  async start() {
    this.stopped = false;
    await mkdir(this.path('assets'), { recursive: true });
    this.state = await readFile(this.path('state.json'), 'utf8').then(JSON.parse, () => ({ session: 0, played: {} }));
    this.state.session += 1;
    await this.saveState();
    // Offline first: whatever manifest we hold plays even if the broker is never reached.
    const cached = await readFile(this.path('manifest.json'), 'utf8').catch(() => null);
    if (cached) {
      const opened = openManifest(cached, this.o.serverPublicKey);
      if (opened.ok && opened.value.deviceId === this.o.id) this.apply(opened.value);
    }
    this.connect();
    this.scheduleTelemetry();
  }

  private connect() {
    const offline = JSON.stringify({ state: 'offline', session: this.state.session, agentVersion: AGENT_VERSION });
    const client = mqtt.connect(this.o.mqttUrl, {
      clientId: this.o.id, username: this.o.id, password: this.o.secret, clean: true,
      keepalive: this.o.keepaliveSec ?? 30, reconnectPeriod: 0, connectTimeout: 10_000,
      will: { topic: topics.state(this.o.id), payload: Buffer.from(offline), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.reconnectAttempt = 0;
      // Subscribed first, then online: the server may send a command as soon as it sees us online.
      client.subscribe([topics.manifest(this.o.id), topics.cmd(this.o.id), topics.serverState], { qos: 1 }, () => {
        this.announce();
        void this.outbox.flush();
      });
    });
    client.on('message', (topic, payload) => {
      if (topic === topics.manifest(this.o.id)) void this.onManifest(payload);
      else if (topic === topics.cmd(this.o.id)) void this.onCommand(payload);
      else if (topic === topics.serverState) {
        // The server (re)started: say online again so it resyncs this gateway's manifest.
        const s = serverState.safeParse(safeJson(payload));
        if (s.success && s.data.state === 'online') this.announce();
      }
    });
    client.on('close', () => this.scheduleReconnect());
    client.on('error', (err) => this.log('mqtt error', { err: err.message }));
  }

  private announce() {
    if (!this.client?.connected) return;
    const online = { state: 'online', session: this.state.session, agentVersion: AGENT_VERSION };
    this.client?.publish(topics.state(this.o.id), JSON.stringify(online), { qos: 1, retain: true });
    void this.measureClockOffset().finally(() => this.sendTelemetry());
  }

  private clockOffsetMs?: number;
  private clockMeasuredAt = -Infinity;

  /**
   * NTP-style estimate of how far this gateway's clock is from the server's (server minus ours), from
   * one HTTP time exchange: the server's time is taken as the middle of the round trip.
   */
  async measureClockOffset(): Promise<number | undefined> {
    try {
      const t0 = this.timers.now();
      const res = await fetch(new URL('/device/v1/time', this.o.server), { headers: { authorization: this.auth }, signal: AbortSignal.timeout(5000) });
      const t1 = this.timers.now();
      if (!res.ok) return this.clockOffsetMs;
      const { now } = (await res.json()) as { now: number };
      this.clockOffsetMs = Math.round(now - (t0 + t1) / 2);
      this.clockMeasuredAt = t1;
    } catch {
      // Offline: keep the last estimate.
    }
    return this.clockOffsetMs;
  }

  /** Exponential backoff with full jitter (AWS architecture blog), so a fleet does not reconnect in lockstep. */
  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    const min = this.o.reconnectMinMs ?? 1000;
    const max = this.o.reconnectMaxMs ?? 60_000;
    const ceiling = Math.min(max, min * 2 ** this.reconnectAttempt++);
    const delay = min + Math.random() * Math.max(0, ceiling - min);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped && this.client && !this.client.connected) this.client.reconnect();
    }, delay);
  }

  /** Publishes at QoS 1 and resolves on PUBACK; gives up after 10 s so a dead link cannot stall the outbox. */
  private publishAcked(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no PUBACK within 10 s')), 10_000);
      client.publish(topic, payload, { qos: 1 }, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => {});
    return p;
  }

  /** Resolves when no asset check or download that a play waits on is under way (for simulated clocks). */
  async settled() {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Events not yet acknowledged by the broker (for tests and the technician's view). */
  pendingEvents() {
    return this.outbox.pending();
  }

  private get volume() {
    return this.state.volume ?? this.o.volume ?? 80;
  }

  /**
   * Verifies and runs a command. Refused, and reported with the reason: a bad signature, another
   * device's command, a seq not above the last accepted one (replayed or out of order), an expired one.
   */
  async onCommand(raw: Buffer | string): Promise<{ result: 'done' | 'rejected' | 'failed'; reason?: string }> {
    const opened = openCommand(raw, this.o.serverPublicKey);
    const report = async (seq: number, result: 'done' | 'rejected' | 'failed', reason?: string) => {
      if (result !== 'done') this.log('command not run', { seq, result, reason });
      await this.event({ type: 'command-result', seq, result, ...(reason ? { reason } : {}) });
      return { result, ...(reason ? { reason } : {}) };
    };
    if (!opened.ok) return report(0, 'rejected', opened.reason);
    const c = opened.value;
    const last = this.state.lastCommandSeq ?? 0;
    if (c.deviceId !== this.o.id) return report(c.seq, 'rejected', `command is for ${c.deviceId}`);
    if (c.seq <= last) return report(c.seq, 'rejected', c.seq === last ? 'replayed: this seq was already accepted' : `out of order: seq ${c.seq} after ${last}`);
    if (c.expiresAt <= this.timers.now()) return report(c.seq, 'rejected', `expired at ${new Date(c.expiresAt).toISOString()}`);
    this.state.lastCommandSeq = c.seq;
    await this.saveState();
    switch (c.type) {
      case 'stop':
        this.waiting = [];
        this.playing?.abort.abort();
        break;
      case 'set-volume':
        if (c.volume === undefined) return report(c.seq, 'failed', 'set-volume needs a volume');
        this.state.volume = c.volume;
        await this.saveState();
        this.sendTelemetry();
        break;
      case 'resync':
        this.announce();
        break;
      case 'reboot-agent':
        if (!this.o.onReboot) return report(c.seq, 'failed', 'this agent cannot restart itself');
        const done = await report(c.seq, 'done');
        await this.outbox.flush();
        this.o.onReboot();
        return done;
      case 'play-now': {
        if (!c.item) return report(c.seq, 'failed', 'play-now needs an item');
        void this.due({ ...c.item, occurrenceId: `${c.item.occurrenceId}-${c.seq}`, startAt: this.timers.now() });
        break;
      }
    }
    return report(c.seq, 'done');
  }

  private manifestChain: Promise<unknown> = Promise.resolve();
  /** sha256 → size and mtime of cached files verified by this process. */
  private verified = new Map<string, FileStamp>();
  /** The kept set of the last cache prune, and whether a download added a file since. */
  private prunedFor?: string;
  private cacheChanged = true;

  /**
   * Verifies and applies a manifest; a bad signature or an older version leaves the cache untouched.
   * Manifests are handled one at a time, so a quick v2, v3 can never be applied as v3, v2.
   */
  onManifest(raw: Buffer | string): Promise<'applied' | 'unchanged' | 'rejected'> {
    const next = this.manifestChain.then(() => this.handleManifest(raw));
    this.manifestChain = next.catch(() => {});
    return next;
  }

  private async handleManifest(raw: Buffer | string): Promise<'applied' | 'unchanged' | 'rejected'> {
    if (raw.length === 0) return 'unchanged';
    const opened = openManifest(raw, this.o.serverPublicKey);
    let reason: string | undefined;
    if (!opened.ok) reason = opened.reason;
    else if (opened.value.deviceId !== this.o.id) reason = `manifest is for ${opened.value.deviceId}`;
    else if (opened.value.version < this.manifestVersion) reason = `version ${opened.value.version} is older than ${this.manifestVersion}`;
    else if (opened.value.version === this.manifestVersion) return 'unchanged';
    if (reason || !opened.ok) {
      this.log('manifest rejected', { reason });
      await this.event({ type: 'manifest-rejected', version: opened.ok ? opened.value.version : undefined, reason: reason ?? 'invalid' });
      return 'rejected';
    }
    try {
      await writeFileAtomic(this.path('manifest.json'), raw.toString());
    } catch (err) {
      // A failing disk, or no file handle left: refused and said so, the one in force stays, and the
      // broker delivers this retained manifest again at the next connection.
      const reason = `could not store it: ${(err as Error).message}`;
      this.log('manifest not stored', { version: opened.value.version, err: String(err) });
      this.report({ type: 'manifest-rejected', version: opened.value.version, reason });
      return 'rejected';
    }
    this.apply(opened.value);
    this.o.onApplied?.(opened.value.version);
    // Not queued on disk: the manifest came over the link just now, and telemetry repeats the version.
    this.report({ type: 'manifest-applied', version: opened.value.version });
    return 'applied';
  }

  private apply(m: Manifest) {
    this.manifest = m;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
    const now = this.timers.now();
    const upcoming = m.items.filter((i) => this.state.played[i.occurrenceId] === undefined && i.startAt + i.asset.durationMs > now);
    const kept = this.withinBudget(upcoming);
    for (const item of upcoming) {
      const cancels: (() => void)[] = [];
      if (kept.has(item.asset.sha256)) this.fetchAsset(item).catch(() => {});
      else cancels.push(at(this.timers, item.startAt - JUST_IN_TIME_MS, () => void this.fetchAsset(item)));
      cancels.push(at(this.timers, item.startAt - PREPARE_MS, () => {
        this.prepared.set(item.occurrenceId, this.track(this.verifiedFile(item)));
      }));
      cancels.push(at(this.timers, item.startAt, () => void this.due(item)));
      this.cancels.set(item.occurrenceId, () => {
        cancels.forEach((c) => c());
        this.prepared.delete(item.occurrenceId);
      });
    }
    void this.pruneCache(kept);
  }

  /** The assets to keep cached: those needed soonest, while they fit in the disk budget. */
  private withinBudget(items: ManifestItem[]): Set<string> {
    const budget = (this.o.cacheBudgetMb ?? 1024) * 1048576;
    const kept = new Set<string>();
    let used = 0;
    for (const i of [...items].sort((a, b) => a.startAt - b.startAt)) {
      if (kept.has(i.asset.sha256)) continue;
      if (used + i.asset.bytes > budget) continue;
      used += i.asset.bytes;
      kept.add(i.asset.sha256);
    }
    return kept;
  }

  /** Resolves with the verified local file, or null if it cannot be had. Shared by prefetch and play. */
  private fetchAsset(item: ManifestItem): Promise<string | null> {
    const { sha256 } = item.asset;
    const existing = this.downloads.get(sha256);
    if (existing) return existing;
    const file = this.path('assets', `${sha256}.opus`);
    const job = (async () => {
      // A file this agent verified and that has not changed since (size, mtime) is not hashed again
      // on every manifest; it is still hashed before it plays (verifiedFile).
      const seen = this.verified.get(sha256);
      const s = seen && (await stat(file).catch(() => null));
      if (s && s.size === seen.size && s.mtimeMs === seen.mtimeMs) return file;
      const stamp = await verifyFile(file, item.asset);
      if (stamp) return this.markVerified(sha256, file, stamp);
      await rm(file, { force: true });
      const url = new URL(item.asset.url, this.o.server).toString();
      await downloadAsset(url, file, item.asset, this.auth);
      this.cacheChanged = true;
      const { size, mtimeMs } = await stat(file);
      return this.markVerified(sha256, file, { size, mtimeMs });
    })().catch((err) => {
      this.log('asset download failed', { sha256, err: String(err) });
      return null;
    }).finally(() => this.downloads.delete(sha256));
    this.downloads.set(sha256, job);
    return job;
  }

  private startChain: Promise<unknown> = Promise.resolve();

  /**
   * An item is due. Starts go through one queue, each finishing only once its play has begun, so a
   * pre-emption never races another start: whoever comes next sees the right `playing`.
   */
  private due(item: ManifestItem): Promise<void> {
    const run = () => this.tryStart(item);
    const next = this.startChain.then(run, run);
    this.startChain = next;
    return this.track(next);
  }

  private async tryStart(item: ManifestItem) {
    this.cancels.delete(item.occurrenceId);
    if (this.stopped || this.state.played[item.occurrenceId] !== undefined) return;
    const current = this.playing;
    if (current) {
      // Circular 39/2020: a higher priority pre-empts; equal or lower never cuts a play that has started.
      if (PRIORITY_RANK[item.priority] > PRIORITY_RANK[current.item.priority]) {
        current.abort.abort();
        await current.done;
      } else {
        this.waiting.push(item);
        return;
      }
    }
    await new Promise<void>((started) => void this.play(item, started));
  }

  /** Plays an item to its end (or until pre-empted); `started` is called once the play has begun or been logged as missed. */
  private async play(item: ManifestItem, started: () => void) {
    const tolerance = this.o.lateToleranceMs ?? 5000;
    const file = await this.track(this.prepared.get(item.occurrenceId) ?? this.verifiedFile(item));
    this.prepared.delete(item.occurrenceId);
    const now = this.timers.now();
    this.state.played[item.occurrenceId] = item.startAt;
    // Persisted while the play starts rather than before: the fsync must not delay the start.
    const saving = this.saveState();
    if (!file || now - item.startAt > tolerance) {
      await saving;
      const reason = !file ? 'asset not available or failed verification' : `started ${now - item.startAt} ms late`;
      await this.event({ type: 'played', occurrenceId: item.occurrenceId, programId: item.programId, startAt: item.startAt, startedAt: now, endedAt: now, result: 'missed', reason });
      started();
      return this.next();
    }
    const abort = new AbortController();
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.playing = { item, startedAt: now, abort, done };
    started();
    this.sendTelemetry();
    const times = item.repeat?.times ?? 1;
    const gapMs = (item.repeat?.gapMinutes ?? 0) * 60_000;
    for (let i = 0; i < times && !abort.signal.aborted; i++) {
      // Repetition i is due at startAt + i × (duration + gap), by the clock, not by when the last one ended.
      const dueAt = item.startAt + i * (item.asset.durationMs + gapMs);
      if (i > 0 && !(await sleep(this.timers, Math.max(0, dueAt - this.timers.now()), abort.signal))) break;
      const startedAt = this.timers.now();
      const outcome = await this.o.sink
        .play({ occurrenceId: item.occurrenceId, programId: item.programId, startAt: dueAt, durationMs: item.asset.durationMs, file, volume: item.volume ?? this.volume }, abort.signal)
        .catch((err) => ({ result: 'failed' as const, reason: String(err) }));
      await this.event({
        type: 'played', occurrenceId: item.occurrenceId, programId: item.programId, startAt: dueAt, startedAt,
        endedAt: this.timers.now(), result: outcome.result, ...('reason' in outcome && outcome.reason ? { reason: outcome.reason } : {}),
      });
    }
    await saving;
    this.playing = undefined;
    this.sendTelemetry();
    finish();
    this.next();
  }

  /** The cached file if it still verifies (a truncated or corrupted cache is fetched again). */
  private async verifiedFile(item: ManifestItem): Promise<string | null> {
    const file = this.path('assets', `${item.asset.sha256}.opus`);
    const stamp = !this.downloads.has(item.asset.sha256) && (await verifyFile(file, item.asset));
    if (stamp) return this.markVerified(item.asset.sha256, file, stamp);
    this.verified.delete(item.asset.sha256);
    return this.fetchAsset(item);
  }

  /** Remembers the stamp of a file that just verified; returns the file. */
  private markVerified(sha256: string, file: string, stamp: FileStamp) {
    this.verified.set(sha256, stamp);
    return file;
  }

  private next() {
    const item = this.waiting.shift();
    if (item) void this.due(item);
  }

  /** Deletes cached assets no upcoming item needs, or that the disk budget leaves out (never one in use). */
  private async pruneCache(kept: Set<string>) {
    // The directory is read only when there may be something to delete: the kept set changed, or a
    // download added a file since the last prune (a new manifest for the same audio costs nothing).
    const key = [...kept].sort().join();
    if (key !== this.prunedFor || this.cacheChanged) {
      this.prunedFor = key;
      this.cacheChanged = false;
      for (const f of await readdir(this.path('assets')).catch(() => [] as string[])) {
        const sha = f.slice(0, 64);
        if (!f.endsWith('.opus') || kept.has(sha) || this.downloads.has(sha) || this.playing?.item.asset.sha256 === sha) continue;
        await rm(this.path('assets', f), { force: true });
        this.verified.delete(sha);
      }
    }
    const horizon = this.timers.now() - 2 * 86400_000;
    for (const [id, startAt] of Object.entries(this.state.played)) if (startAt < horizon) delete this.state.played[id];
  }

  private stateChain: Promise<unknown> = Promise.resolve();

  /** Writes are queued: an older snapshot can never land after a newer one. */
  private saveState(): Promise<void> {
    const next = this.stateChain.then(() => writeFileAtomic(this.path('state.json'), JSON.stringify(this.state)));
    this.stateChain = next.catch(() => {});
    return next;
  }

  /**
   * Sends a status event now if connected (QoS 1), without the disk queue: for reports that the next
   * telemetry makes good if they are lost, so a schedule change costs the gateway no extra fsync.
   */
  private report(e: Omit<DeviceEvent, 'id' | 'at'> & Record<string, unknown>) {
    if (!this.client?.connected) return;
    this.client.publish(topics.event(this.o.id), JSON.stringify({ id: randomUUID(), at: this.timers.now(), ...e }), { qos: 1 });
  }

  /** Queues an event on disk; resolves once it is stored (sending happens as the link allows). */
  private event(e: Omit<DeviceEvent, 'id' | 'at'> & Record<string, unknown>): Promise<void> {
    const full = { id: randomUUID(), at: this.timers.now(), ...e };
    return this.outbox.add(full).catch((err) => this.log('outbox write failed', { err: String(err) }));
  }

  private async telemetry(): Promise<Telemetry> {
    const fs = await statfs(this.o.cacheDir).catch(() => null);
    const p = this.playing;
    return {
      at: this.timers.now(), volume: this.volume, manifestVersion: this.manifestVersion,
      diskFreeMb: fs ? Math.floor((fs.bavail * fs.bsize) / 1048576) : 0,
      ...(this.clockOffsetMs !== undefined ? { clockOffsetMs: this.clockOffsetMs } : {}),
      // Idle telemetry is the gateway's steady data cost: say "nothing playing" by leaving the field out.
      ...(p ? { playing: { occurrenceId: p.item.occurrenceId, programId: p.item.programId, title: p.item.title, startedAt: p.startedAt } } : {}),
    };
  }

  private sendTelemetry() {
    if (!this.client?.connected) return;
    void this.telemetry().then((t) => this.client?.publish(topics.telemetry(this.o.id), JSON.stringify(t), { qos: 0 }));
  }

  private scheduleTelemetry() {
    // 60 s: with MQTT keepalive pings at 30 s in between, an idle gateway costs about 5 MB a month.
    const every = this.o.telemetryMs ?? 60_000;
    this.telemetryCancel = at(this.timers, this.timers.now() + every, () => {
      // Re-measure the clock offset every 10 minutes at most.
      if (this.client?.connected && this.timers.now() - this.clockMeasuredAt > 600_000) void this.measureClockOffset().finally(() => this.sendTelemetry());
      else this.sendTelemetry();
      if (!this.stopped) this.scheduleTelemetry();
    });
  }

  /** Orderly stop: says offline itself (no will needed), stops playing. */
  async stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.telemetryCancel?.();
    for (const cancel of this.cancels.values()) cancel();
    this.playing?.abort.abort();
    if (this.client?.connected) {
      const offline = { state: 'offline', session: this.state.session, agentVersion: AGENT_VERSION };
      await this.client.publishAsync(topics.state(this.o.id), JSON.stringify(offline), { qos: 1, retain: true }).catch(() => {});
    }
    await this.client?.endAsync(true);
  }

  /** Abrupt loss, as a power cut or a dead 4G link: the socket is destroyed, no DISCONNECT is sent. */
  kill() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.telemetryCancel?.();
    for (const cancel of this.cancels.values()) cancel();
    this.client?.options && (this.client.options.reconnectPeriod = 0);
    this.client?.stream.destroy();
    this.client?.end(true);
  }
}

