import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkProxy } from './helpers/proxy.js';
import { createDevice, createZone, startTestSystem, waitFor, testAgent, type TestSystem } from './helpers/system.js';

const KEEPALIVE_S = 2;

describe('a gateway that disappears is shown offline', () => {
  let t: TestSystem;
  let dir: string;
  let zone: string;
  const online = async (id: string) => (await (await t.api(`/api/devices/${id}`)).json()).device.online as boolean;

  beforeAll(async () => {
    t = await startTestSystem();
    dir = await mkdtemp(join(tmpdir(), 'loalang-avail-'));
    zone = await createZone(t, 'Thôn Trung');
  });
  afterAll(async () => {
    await t.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const agentFor = (d: { id: string; secret: string }, mqttUrl = t.sys.mqttUrl) =>
    testAgent(t, d, join(dir, d.id), { mqttUrl, keepaliveSec: KEEPALIVE_S });

  it('turns offline from the MQTT will when its socket is destroyed abruptly [MQTT-3.1.2-8]', async () => {
    const d = await createDevice(t, 'thon-trung-1', zone);
    const agent = agentFor(d);
    await agent.start();
    await waitFor(() => online(d.id));
    const lost = Date.now();
    agent.kill();
    await waitFor(async () => !(await online(d.id)), KEEPALIVE_S * 1500);
    expect(Date.now() - lost).toBeLessThan(KEEPALIVE_S * 1500);
  });

  it('turns offline within 1.5 × keepalive when its link goes silent without closing [MQTT-3.1.2-24]', async () => {
    const d = await createDevice(t, 'thon-trung-2', zone);
    const proxy = await linkProxy(t.sys.mqttPort);
    const agent = agentFor(d, `mqtt://127.0.0.1:${proxy.port}`);
    await agent.start();
    await waitFor(() => online(d.id));
    const silentAt = Date.now();
    proxy.goSilent();
    await waitFor(async () => !(await online(d.id)), KEEPALIVE_S * 1500 + 1000, 50);
    const elapsed = Date.now() - silentAt;
    expect(elapsed).toBeLessThanOrEqual(KEEPALIVE_S * 1500 + 400);
    agent.kill();
    proxy.close();
  });

  it('turns offline when the agent process, started from the CLI with only server, id and secret, is killed with SIGKILL', async () => {
    const d = await createDevice(t, 'thon-trung-3', zone);
    const child: ChildProcess = spawn(process.execPath, [
      '--import', 'tsx', 'devices/agent/cli.ts', '--server', t.sys.httpUrl, '--id', d.id, '--secret', d.secret,
      '--cache', join(dir, d.id), '--sink', 'record', '--keepalive', String(KEEPALIVE_S),
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (b) => (stderr += b));
    try {
      await waitFor(() => online(d.id), 20_000).catch((err) => {
        throw new Error(`${err.message}; agent stderr: ${stderr}`);
      });
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await waitFor(async () => !(await online(d.id)), KEEPALIVE_S * 1500);
      expect(Date.now() - killedAt).toBeLessThan(KEEPALIVE_S * 1500);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
