import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeLabel } from '../server/metrics/routes.js';
import { seedApprovedProgram, useTestApp } from './helpers/app.js';
import { speechLikeWav } from './helpers/audio.js';
import { createDevice, createZone, finishedJob, NO_QUIET_HOURS, uploadProgram } from './helpers/system.js';

const TOKEN = 'metrics-token-0123456789';

/** The value of one sample (`name{labels} value`) in Prometheus' text format, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics without a token', () => {
  const t = useTestApp();
  const scrape = async (address = '127.0.0.1') => {
    const res = await t.as(undefined, address)('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('answers loopback clients (IPv4 and IPv6) and refuses others with 403 and the error shape', async () => {
    await scrape('127.0.0.1');
    await scrape('::1');
    const res = await t.as(undefined, '192.0.2.44')('/metrics');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });

  it('counts gateways online and offline, out of sync, and how long the oldest has lagged', async () => {
    const zone = await createZone(t, 'Thôn Đông', NO_QUIET_HOURS);
    const a = await createDevice(t, 'thon-dong-1', zone);
    await createDevice(t, 'thon-dong-2', zone);
    t.server.bus.emit('device.state-reported', { deviceId: a.id, state: { state: 'online', session: 1, agentVersion: '1.0.0' } });
    const program = seedApprovedProgram(t, 'Bản tin sáng');
    const at = new Date(t.clock.now() + 86400_000).toISOString();
    expect((await t.api('/api/schedules', { method: 'POST', json: { programId: program, zoneIds: [zone], rule: { type: 'once', at } } })).status).toBe(201);
    await t.server.manifests.whenIdle();
    t.clock.advance(90_000);

    const text = await scrape();
    expect(sample(text, 'loalang_gateways', { state: 'online' })).toBe(1);
    expect(sample(text, 'loalang_gateways', { state: 'offline' })).toBe(1);
    expect(sample(text, 'loalang_gateways_out_of_sync')).toBe(2);
    expect(sample(text, 'loalang_gateway_sync_lag_oldest_seconds')).toBe(90);
    expect(sample(text, 'loalang_manifest_rebuild_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'loalang_manifest_publish_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'loalang_manifests_published_total')).toBeGreaterThanOrEqual(2);
  });

  it('counts missed plays from gateway reports once each, and those the settlement adds', async () => {
    const report = { type: 'played' as const, id: 'ev-missed-0001', at: t.clock.now(), occurrenceId: 'oc-1', programId: 'pg_x', startAt: t.clock.now(), startedAt: t.clock.now(), endedAt: t.clock.now(), result: 'missed' as const, reason: 'offline' };
    t.server.bus.emit('device.played', { deviceId: 'thon-dong-1', report });
    t.server.bus.emit('device.played', { deviceId: 'thon-dong-1', report });
    t.server.bus.emit('device.played', { deviceId: 'thon-dong-1', report: { ...report, id: 'ev-done-0001', occurrenceId: 'oc-2', result: 'completed' } });
    t.server.metrics.countMissed(3);
    const text = await scrape();
    expect(sample(text, 'loalang_plays_missed_total', { source: 'gateway' })).toBe(1);
    expect(sample(text, 'loalang_plays_missed_total', { source: 'settlement' })).toBe(3);
    expect(sample(text, 'loalang_plays_reported_total', { result: 'completed' })).toBe(1);
  });

  it('counts transcode jobs and times them', async () => {
    const wav = join(t.dir, 'ngan.wav');
    await speechLikeWav(wav, 1);
    const job = await finishedJob(t, (await (await uploadProgram(t, wav, 'Thông báo ngắn')).json()).job.id);
    expect(job.status).toBe('succeeded');
    const text = await scrape();
    expect(sample(text, 'loalang_jobs_total', { kind: 'transcode', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'loalang_job_duration_seconds_count', { kind: 'transcode', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'loalang_job_duration_seconds_sum', { kind: 'transcode', status: 'succeeded' })).toBeGreaterThanOrEqual(0);
  });

  it('times HTTP requests by method, route pattern and status, never by the raw path', async () => {
    await t.api('/api/programs/pg_doesnotexist123');
    await t.api('/api/zones');
    // Signed in: a page request without a session is sent to the login (303), not answered 404.
    await t.api('/no/such/route/4242');
    const text = await scrape();
    expect(sample(text, 'loalang_http_request_duration_seconds_count', { method: 'GET', route: '/api/programs/:id', status: '404' })).toBe(1);
    expect(sample(text, 'loalang_http_request_duration_seconds_count', { method: 'GET', route: '/api/zones', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'loalang_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain('pg_doesnotexist123');
    expect(text).not.toContain('4242');
    expect(routeLabel('/media/:file{[0-9a-f]{64}\\.(opus|mp3)}', 200)).toBe('/media/:file');
  });

  it('exposes the process metrics and when each housekeeping job last succeeded', async () => {
    await t.server.housekeeping.runNow('sessions');
    const text = await scrape();
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'loalang_housekeeping_runs_total', { job: 'sessions', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'loalang_housekeeping_last_success_timestamp_seconds', { job: 'sessions' })).toBeGreaterThan(0);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const t = useTestApp({ env: { METRICS_TOKEN: TOKEN } });

  it('answers only a request that carries the bearer token, from any address', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
      const res = await t.as(undefined, '127.0.0.1')('/metrics', { headers });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthenticated');
    }
    const res = await t.as(undefined, '192.0.2.44')('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('loalang_gateways');
  });
});

describe('the Grafana dashboard in docs/', () => {
  const t = useTestApp();

  it('asks only for metrics the server exposes', async () => {
    const dashboard = await readFile(join(import.meta.dirname, '../docs/grafana-dashboard.json'), 'utf8');
    JSON.parse(dashboard);
    const wanted = new Set([...dashboard.matchAll(/\b((?:loalang|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]));
    expect(wanted.size).toBeGreaterThan(10);
    const text = await (await t.as(undefined, '127.0.0.1')('/metrics')).text();
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+) (\w+)/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name]));
    for (const name of wanted) expect(exposed.has(name), name).toBe(true);
  });
});
