import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayAgent, type AgentOptions } from '../../devices/agent/agent.js';
import { recordSink } from '../../devices/agent/sinks.js';
import { realTimers } from '../../devices/agent/timers.js';
import { parseConfig } from '../../server/config.js';
import { startSystem, type RunningSystem } from '../../server/main.js';
import { createLogger } from '../../server/logger.js';

export const ADMIN_PASSWORD = 'test-admin-password';

export interface TestSystem {
  sys: RunningSystem;
  dir: string;
  /** fetch against the server with the admin session cookie. */
  api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
  login: (username: string, password: string) => Promise<string>;
  stop: () => Promise<void>;
}

/** The real server: embedded broker and HTTP on port 0, SQLite and media in a fresh temp dir. */
export async function startTestSystem(env: Record<string, string> = {}, existingDir?: string): Promise<TestSystem> {
  const dir = existingDir ?? (await mkdtemp(join(tmpdir(), 'loalang-test-')));
  const config = parseConfig({
    HOST: '127.0.0.1', PORT: '0', MQTT_PORT: '0', DATA_DIR: join(dir, 'data'), MEDIA_DIR: join(dir, 'media'),
    LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'silent', ...env,
  });
  const sys = await startSystem(config, { log: createLogger(process.env.TEST_LOG ? 'debug' : 'silent') });
  const login = async (username: string, password: string) => {
    const res = await fetch(`${sys.httpUrl}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    return res.headers.get('set-cookie')!.split(';')[0];
  };
  const cookie = await login('admin', ADMIN_PASSWORD);
  const api: TestSystem['api'] = (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('cookie', cookie);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(`${sys.httpUrl}${path}`, { ...init, headers, body });
  };
  return {
    sys, dir, api, login,
    stop: async () => {
      await sys.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
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

/**
 * Quiet hours that never apply (equal start and end). Tests that schedule "a few seconds from now"
 * use it, so they pass at any hour of the Vietnamese day; tests of quiet hours keep the default.
 */
export const NO_QUIET_HOURS = { quietStart: '00:00', quietEnd: '00:00' };

export async function createZone(t: TestSystem, name: string, quiet?: { quietStart: string; quietEnd: string }): Promise<string> {
  const res = await t.api('/api/zones', { method: 'POST', json: { name, ...quiet } });
  return (await res.json()).zone.id;
}

export async function createDevice(t: TestSystem, id: string, zoneId: string): Promise<{ id: string; secret: string }> {
  const res = await t.api('/api/devices', { method: 'POST', json: { id, name: id, zoneId } });
  if (res.status !== 201) throw new Error(`device: ${res.status} ${await res.text()}`);
  const { device } = await res.json();
  return { id: device.id, secret: device.secret };
}

export async function uploadProgram(t: TestSystem, file: string, title: string) {
  const { readFile } = await import('node:fs/promises');
  const form = new FormData();
  form.set('title', title);
  form.set('category', 'greeting');
  form.set('file', new Blob([await readFile(file)]), file.split('/').pop());
  return t.api('/api/programs', { method: 'POST', body: form });
}

/** The record sink's log: one JSON object per play; empty when nothing played yet. */
export async function readSinkLog(file: string): Promise<{ occurrenceId: string; programId: string; startAt: number; startedAt: number; endedAt: number; result: string }[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** A gateway agent for `device` against the test server, with a recording sink in `cacheDir`. */
export function testAgent(t: TestSystem, device: { id: string; secret: string }, cacheDir: string, opts: Partial<AgentOptions> = {}): GatewayAgent {
  const timers = opts.timers ?? realTimers;
  return new GatewayAgent({
    id: device.id, secret: device.secret, server: t.sys.httpUrl, mqttUrl: t.sys.mqttUrl, serverPublicKey: t.sys.publicKeyPem,
    cacheDir, sink: recordSink(cacheDir, timers), ...opts,
  });
}
