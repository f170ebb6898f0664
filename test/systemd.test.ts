import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevice, createZone, startTestSystem, waitFor, type TestSystem } from './helpers/system.js';

describe('the gateway agent under systemd (Type=notify, WatchdogSec)', () => {
  let t: TestSystem;
  // Scratch files go in the test system's own temp dir, which stop() removes.
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t.stop());

  it('says READY once started and keeps pinging the watchdog at half its period', async () => {
    const zone = await createZone(t, 'Thôn Systemd');
    const d = await createDevice(t, 'thon-systemd-1', zone);
    // A stand-in for systemd-notify on PATH that records what it was told.
    const bin = join(t.dir, 'bin');
    await (await import('node:fs/promises')).mkdir(bin);
    const record = join(t.dir, 'notify.log');
    await writeFile(join(bin, 'systemd-notify'), `#!/bin/sh\necho "$@" >> ${record}\n`);
    await chmod(join(bin, 'systemd-notify'), 0o755);
    const child = spawn(process.execPath, ['--import', 'tsx', 'devices/agent/cli.ts', '--server', t.sys.httpUrl, '--id', d.id, '--secret', d.secret, '--cache', join(t.dir, 'cache'), '--sink', 'record'], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '400000' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The agent's own output, shown if the test fails: it says why it did not start or could not notify.
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    try {
      const lines = await waitFor(async () => {
        const l = (await readFile(record, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
        return l.filter((x) => x === 'WATCHDOG=1').length >= 3 ? l : null;
      }, 40_000).catch((err) => {
        throw new Error(`${err.message}; agent said:\n${output}`);
      });
      expect(lines![0]).toBe('--ready');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
