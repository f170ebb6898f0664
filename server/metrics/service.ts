import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Bus, Feature } from '../bus.js';

/** What the metrics read about gateways when Prometheus scrapes (the devices service's view). */
export interface GatewayStatus {
  online: boolean;
  appliedVersion: number;
  manifestVersion: number;
  lagSince: number | null;
}

/** Seconds: a manifest rebuild of a few gateways takes milliseconds, of 10,000 tens of seconds. */
const REBUILD_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds: transcoding runs from a second (a short recording) to many minutes (a two-hour file). */
const JOB_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Metrics for operators, in one registry per server (never prom-client's global one, so servers
 * composed side by side in one process keep theirs apart). Gauges about gateways are read from the
 * devices service when scraped; counters and histograms follow bus events from start().
 */
export function createMetrics({ bus, gateways, now }: { bus: Bus; gateways: () => GatewayStatus[]; now: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  // One read of the devices per scrape, shared by the gauges below (render() forgets it first).
  let snapshot: GatewayStatus[] | null = null;
  const current = () => (snapshot ??= gateways());
  const outOfSync = (g: GatewayStatus) => g.appliedVersion < g.manifestVersion;

  new Gauge({
    name: 'loalang_gateways', help: 'Gateways by connection state', labelNames: ['state'], registers,
    collect() {
      const list = current();
      const online = list.filter((g) => g.online).length;
      this.set({ state: 'online' }, online);
      this.set({ state: 'offline' }, list.length - online);
    },
  });
  new Gauge({
    name: 'loalang_gateways_out_of_sync', help: 'Gateways whose applied manifest is older than the published one', registers,
    collect() {
      this.set(current().filter(outOfSync).length);
    },
  });
  new Gauge({
    name: 'loalang_gateway_sync_lag_oldest_seconds', help: 'How long the gateway furthest behind has lagged its published manifest (0 when all are in sync)', registers,
    collect() {
      const since = current().filter(outOfSync).map((g) => g.lagSince).filter((x): x is number => x !== null);
      this.set(since.length ? Math.max(0, (now() - Math.min(...since)) / 1000) : 0);
    },
  });

  const playsReported = new Counter({ name: 'loalang_plays_reported_total', help: 'Plays gateways reported, by result (each report counted once)', labelNames: ['result'], registers });
  const playsMissed = new Counter({
    name: 'loalang_plays_missed_total', help: 'Plays that did not happen: reported missed by a gateway, or found missing when plays were settled', labelNames: ['source'], registers,
  });
  const rebuilds = new Histogram({ name: 'loalang_manifest_rebuild_seconds', help: 'Manifest rebuilds: plan, sign, store and publish', buckets: REBUILD_BUCKETS, registers });
  const rebuildPublished = new Counter({ name: 'loalang_manifests_published_total', help: 'Manifests published with a new version', registers });
  const publishes = new Histogram({
    name: 'loalang_manifest_publish_seconds', help: 'A chunk of manifests handed to the broker until the broker acknowledged all of it', buckets: REBUILD_BUCKETS, registers,
  });
  const jobsFinished = new Counter({ name: 'loalang_jobs_total', help: 'Background jobs (transcode, tts) finished, by outcome', labelNames: ['kind', 'status'], registers });
  const jobDurations = new Histogram({ name: 'loalang_job_duration_seconds', help: 'Background jobs from start to finish', labelNames: ['kind', 'status'], buckets: JOB_BUCKETS, registers });
  const jobStates = new Map<string, { kind: string; status: string }>();
  new Gauge({
    name: 'loalang_jobs', help: 'Background jobs waiting or running now', labelNames: ['kind', 'status'], registers,
    collect() {
      this.reset();
      for (const j of jobStates.values()) this.inc({ kind: j.kind, status: j.status });
    },
  });
  const housekeepingRuns = new Counter({ name: 'loalang_housekeeping_runs_total', help: 'Housekeeping jobs run, by job and outcome', labelNames: ['job', 'outcome'], registers });
  const housekeepingLast = new Gauge({
    name: 'loalang_housekeeping_last_success_timestamp_seconds', help: 'When each housekeeping job last succeeded (Unix time)', labelNames: ['job'], registers,
  });
  const http = new Histogram({
    name: 'loalang_http_request_duration_seconds', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'], buckets: HTTP_BUCKETS, registers,
  });

  const owner = 'metrics';
  const feature: Feature = {
    start() {
      // playlog.stored, not device.played: a report a gateway sends again after a reconnect counts once.
      bus.on('playlog.stored', owner, ({ result }) => {
        playsReported.inc({ result });
        if (result === 'missed') playsMissed.inc({ source: 'gateway' });
      });
      // Settlement's own count: plays nobody reported, found missed once they should have ended.
      bus.on('plays.settled', owner, ({ missed }) => {
        if (missed) playsMissed.inc({ source: 'settlement' }, missed);
      });
      bus.on('manifests.rebuilt', owner, ({ ms, published }) => {
        rebuilds.observe(ms / 1000);
        rebuildPublished.inc(published);
      });
      bus.on('manifests.published', owner, ({ ms }) => {
        if (ms !== undefined) publishes.observe(ms / 1000);
      });
      bus.on('job.updated', owner, ({ job }) => {
        if (job.status === 'queued' || job.status === 'running') return void jobStates.set(job.id, { kind: job.kind, status: job.status });
        jobStates.delete(job.id);
        jobsFinished.inc({ kind: job.kind, status: job.status });
        if (job.startedAt !== null && job.finishedAt !== null) jobDurations.observe({ kind: job.kind, status: job.status }, (job.finishedAt - job.startedAt) / 1000);
      });
      bus.on('housekeeping.ran', owner, ({ job, ok, at }) => {
        housekeepingRuns.inc({ job, outcome: ok ? 'ok' : 'failed' });
        if (ok) housekeepingLast.set({ job }, at / 1000);
      });
    },
    stop() {
      bus.removeListeners(owner);
    },
  };

  return {
    ...feature,
    registry,
    /** Plays found missing by other means (the settlement of planned against played). */
    countMissed: (n = 1, source = 'settlement') => playsMissed.inc({ source }, n),
    observeHttp: (labels: { method: string; route: string; status: number }, seconds: number) =>
      http.observe({ method: labels.method, route: labels.route, status: String(labels.status) }, seconds),
    render: () => {
      snapshot = null;
      return registry.metrics();
    },
    contentType: registry.contentType,
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
