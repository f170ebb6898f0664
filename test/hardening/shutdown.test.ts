import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningTools } from '../../server/media/ffmpeg.js';
import type { JobView } from '../../server/jobs/service.js';
import { speechLikeWav } from '../helpers/audio.js';
import { ADMIN_PASSWORD, loginCookie, sessionApi, startTestSystem, uploadProgram, waitFor } from '../helpers/system.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** The processes whose parent is `pid` (from /proc). */
async function childrenOf(pid: number): Promise<{ pid: number; comm: string }[]> {
  const { readdir } = await import('node:fs/promises');
  const out: { pid: number; comm: string }[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (m && Number(m[2]) === pid) out.push({ pid: Number(e), comm: m[1] });
  }
  return out;
}
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

describe('stopping the server while audio is being transcoded', () => {
  let dir: string;
  let long: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loalang-shutdown-'));
    long = join(dir, 'dai.wav');
    await speechLikeWav(long, 300);
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('ends the running ffmpeg, marks the job failed (shutting_down) and is done well within 10 s', async () => {
    const t = await startTestSystem();
    const jobs = new Map<string, JobView>();
    t.sys.bus.on('job.updated', 'test', ({ job }) => void jobs.set(job.id, job));
    const { job } = await (await uploadProgram(t, long, 'Thông báo dài')).json();
    await waitFor(() => jobs.get(job.id)?.status === 'running' && runningTools().length > 0, 20_000);
    const pids = runningTools();
    const started = performance.now();
    await t.stop();
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(pids.filter(alive)).toEqual([]);
    expect(runningTools()).toEqual([]);
    expect(jobs.get(job.id)).toMatchObject({ status: 'failed', error: { code: 'shutting_down' } });
  }, 60_000);

  it('leaves no ffmpeg behind when the server is killed outright (SIGKILL), and clears its temp files at the next start', async () => {
    const port = await freePort();
    const data = join(dir, 'killed');
    const env = {
      ...process.env, HOST: '127.0.0.1', PORT: String(port), MQTT_PORT: String(await freePort()), DATA_DIR: join(data, 'data'), MEDIA_DIR: join(data, 'media'),
      LOALANG_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'info',
    };
    const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    try {
      await waitFor(() => log.includes('listening on'), 30_000);
      const base = `http://127.0.0.1:${port}`;
      const cookie = await loginCookie(base, 'admin', ADMIN_PASSWORD);
      const api = sessionApi(base, cookie);
      expect((await uploadProgram({ api }, long, 'Thông báo dài')).status).toBe(202);
      const ffmpeg = await waitFor(async () => {
        const kids = (await childrenOf(server.pid!)).filter((c) => c.comm === 'ffmpeg');
        return kids.length ? kids : null;
      }, 20_000);
      server.kill('SIGKILL');
      await waitFor(() => ffmpeg!.every((c) => !alive(c.pid)), 5_000);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(join(data, 'media', 'tmp'))).length).toBeGreaterThan(0);
    const again = await startTestSystem({}, data);
    expect(await readdir(join(data, 'media', 'tmp'))).toEqual([]);
    await again.stop();
  }, 90_000);
});
