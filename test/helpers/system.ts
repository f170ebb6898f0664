import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { GatewayAgent, type AgentOptions } from '../../devices/agent/agent.js';
import { recordSink } from '../../devices/agent/sinks.js';
import { realTimers } from '../../devices/agent/timers.js';
import { parseConfig } from '../../server/config.js';
import { startSystem, type RunningSystem } from '../../server/main.js';
import { createLogger } from '../../server/logger.js';

export const ADMIN_PASSWORD = 'test-admin-password';

/**
 * Housekeeping's cron schedules run on the wall clock: a test that happened to span 03:00 or an hour's
 * :17 would see a backup or a rebuild it did not ask for. Test systems run none unless a test sets one;
 * tests run a job with `housekeeping.runNow()` instead.
 */
export const NO_HOUSEKEEPING_SCHEDULES = Object.fromEntries(
  ['CRON_MANIFESTS_DAILY', 'CRON_MANIFESTS_SAFETY', 'CRON_SETTLE', 'CRON_SESSIONS', 'CRON_RETENTION', 'CRON_BACKUP'].map((k) => [k, 'off']),
);

export type Api = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;

/** What the helpers below need, whether the server runs on ports (TestSystem) or in-process (TestApp). */
export interface ApiClient {
  /** Requests with the admin session cookie. */
  api: Api;
  /** Requests with another session cookie (or none). */
  as: (cookie?: string) => Api;
  /** Logs in and returns the session cookie. */
  login: (username: string, password: string) => Promise<string>;
}

export interface TestSystem extends ApiClient {
  sys: RunningSystem;
  dir: string;
  stop: () => Promise<void>;
}

/** `json` sets the body and its content type. */
export function withJson(init: RequestInit & { json?: unknown }): RequestInit {
  const { json, ...rest } = init;
  if (json === undefined) return rest;
  const headers = new Headers(rest.headers);
  headers.set('content-type', 'application/json');
  return { ...rest, headers, body: JSON.stringify(json) };
}

/** The real server: embedded broker and HTTP on port 0, SQLite and media in a fresh temp dir. */
export async function startTestSystem(env: Record<string, string> = {}, existingDir?: string): Promise<TestSystem> {
  const dir = existingDir ?? (await mkdtemp(join(tmpdir(), 'loalang-test-')));
  const config = parseConfig({
    HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'),
    LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'silent', ...NO_HOUSEKEEPING_SCHEDULES, ...env,
  });
  const sys = await startSystem(config, { log: createLogger(process.env.TEST_LOG ? 'debug' : 'silent') });
  const login = (username: string, password: string) => loginCookie(sys.httpUrl, username, password);
  const as = (cookie?: string) => sessionApi(sys.httpUrl, cookie);
  const api = as(await login('admin', ADMIN_PASSWORD));
  return {
    sys, dir, api, as, login,
    stop: async () => {
      await sys.stop();
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** A client of a system started by hand (tests that restart the server), logged in with `cookie`. */
export function systemClient(sys: RunningSystem, cookie: string): ApiClient {
  return { api: sessionApi(sys.httpUrl, cookie), as: (c) => sessionApi(sys.httpUrl, c), login: (u, p) => loginCookie(sys.httpUrl, u, p) };
}

/** One real system for the suite: started before its tests, stopped (ports, temp dir) after. */
export function useTestSystem(env: Record<string, string> = {}): TestSystem {
  const t = {} as TestSystem;
  beforeAll(async () => void Object.assign(t, await startTestSystem(env)));
  afterAll(() => t.stop?.());
  return t;
}

/** fetch against `baseUrl` with a session cookie (or none); `json` sets the body and its content type. */
export function sessionApi(baseUrl: string, cookie?: string): Api {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    return fetch(`${baseUrl}${path}`, withJson({ ...init, headers }));
  };
}

/** Logs in at `baseUrl` and returns the session cookie. */
export async function loginCookie(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0];
}

/** Polls `check` until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 10_000, every = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waitFor: condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Tomorrow in the commune (Vietnam, UTC+7) at HH:MM[:SS], as the API's ISO string. */
export function tomorrowAt(hhmm: string, seconds = '00'): string {
  const day = new Date(Date.now() + 7 * 3600_000 + 86400_000).toISOString().slice(0, 10);
  return `${day}T${hhmm}:${seconds}+07:00`;
}

/**
 * Quiet hours that never apply (equal start and end). Tests that schedule "a few seconds from now"
 * use it, so they pass at any hour of the Vietnamese day; tests of quiet hours keep the default.
 */
export const NO_QUIET_HOURS = { quietStart: '00:00', quietEnd: '00:00' };

export async function createZone(t: Pick<ApiClient, 'api'>, name: string, quiet?: { quietStart: string; quietEnd: string }): Promise<string> {
  const res = await t.api('/api/zones', { method: 'POST', json: { name, ...quiet } });
  return (await res.json()).zone.id;
}

export async function createDevice(t: Pick<ApiClient, 'api'>, id: string, zoneId: string): Promise<{ id: string; secret: string }> {
  const res = await t.api('/api/devices', { method: 'POST', json: { id, name: id, zoneId } });
  if (res.status !== 201) throw new Error(`device: ${res.status} ${await res.text()}`);
  const { device } = await res.json();
  return { id: device.id, secret: device.secret };
}

/** POST /api/programs: answers 202 with the transcoding job (or 4xx at once for a file it can tell is bad). */
export async function uploadProgram(t: Pick<ApiClient, 'api'>, file: string, title: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  form.set('title', title);
  form.set('category', 'greeting');
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  form.set('file', new Blob([await readFile(file)]), file.split('/').pop());
  return t.api('/api/programs', { method: 'POST', body: form });
}

export interface JobView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  result: { programId: string; version: number } | null;
  error: { status: number; code: string; message: string } | null;
}

/** Polls GET /api/jobs/:id until the job has finished, either way. */
export async function finishedJob(t: Pick<ApiClient, 'api'>, jobId: string, ms = 60_000): Promise<JobView> {
  return waitFor(async (): Promise<JobView | undefined> => {
    const { job } = await (await t.api(`/api/jobs/${jobId}`)).json();
    return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
  }, ms, 50) as Promise<JobView>;
}

const APPROVER = { username: 'chu-tich', password: 'chu-tich-password', role: 'approver', displayName: 'Chủ tịch UBND xã' };
const approverCookies = new WeakMap<ApiClient, string>();

/** A session of the commune chair (role approver), created on first use. */
export async function approverSession(t: ApiClient): Promise<string> {
  let cookie = approverCookies.get(t);
  if (!cookie) {
    const res = await t.api('/api/users', { method: 'POST', json: APPROVER });
    if (res.status !== 201 && res.status !== 409) throw new Error(`approver: ${res.status} ${await res.text()}`);
    cookie = await t.login(APPROVER.username, APPROVER.password);
    approverCookies.set(t, cookie);
  }
  return cookie;
}

/** Upload, transcode, submit and have the chair approve: a program ready to schedule. */
export async function approvedProgram(t: ApiClient, file: string, title: string, extra: Record<string, string> = {}) {
  const res = await uploadProgram(t, file, title, extra);
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
  const job = await finishedJob(t, (await res.json()).job.id);
  if (job.status !== 'succeeded') throw new Error(`transcode: ${JSON.stringify(job.error)}`);
  const id = job.result!.programId;
  const submitted = await t.api(`/api/programs/${id}/submit`, { method: 'POST' });
  if (submitted.status !== 200) throw new Error(`submit: ${submitted.status} ${await submitted.text()}`);
  const approved = await t.as(await approverSession(t))(`/api/programs/${id}/approve`, { method: 'POST', json: { version: job.result!.version } });
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${await approved.text()}`);
  return (await approved.json()).program;
}

/** The record sink's log: one JSON object per play; empty when nothing played yet. */
export async function readSinkLog(file: string): Promise<{ occurrenceId: string; programId: string; startAt: number; startedAt: number; endedAt: number; result: string }[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/**
 * A gateway agent for `device` against the test server, with a recording sink in `cacheDir`. On a
 * simulated clock (fakeTimers: days pass in seconds) it plays by that clock alone: the offset it would
 * measure against the server's real clock belongs to the simulation, not to a gateway.
 */
export function testAgent(t: TestSystem, device: { id: string; secret: string }, cacheDir: string, opts: Partial<AgentOptions> = {}): GatewayAgent {
  const timers = opts.timers ?? realTimers;
  return new GatewayAgent({
    id: device.id, secret: device.secret, server: t.sys.httpUrl, mqttUrl: t.sys.mqttUrl, serverPublicKey: t.sys.publicKeyPem,
    cacheDir, sink: recordSink(cacheDir, timers), followServerClock: !('advanceTo' in timers), ...opts,
  });
}
