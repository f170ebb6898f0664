import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechLikeWav } from './helpers/audio.js';
import { fakeTimers } from './helpers/fake-timers.js';
import { approvedProgram, createDevice, createZone, readSinkLog, startTestSystem, testAgent, type TestSystem, tomorrowAt, waitFor } from './helpers/system.js';

/** An HTTP relay to the server whose first media response stops halfway and hangs, as a dying 4G link does. */
async function stallingRelay(target: string) {
  const ranges: (string | undefined)[] = [];
  let stalled: ServerResponse | undefined;
  const server: Server = createServer(async (req, res) => {
    const isMedia = req.url!.startsWith('/media/');
    if (isMedia) ranges.push(req.headers.range);
    const upstream = await fetch(new URL(req.url!, target), { headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host')) as Record<string, string> });
    const body = Buffer.from(await upstream.arrayBuffer());
    const headers: Record<string, string> = {};
    upstream.headers.forEach((v, k) => (headers[k] = v));
    res.writeHead(upstream.status, headers);
    if (isMedia && ranges.length === 1) {
      res.write(body.subarray(0, body.length >> 1));
      stalled = res;
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    ranges,
    isStalled: () => !!stalled,
    cut: () => stalled?.socket?.destroy(),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('an asset download interrupted by a dying link and an agent restart', () => {
  let t: TestSystem;
  // Scratch files go in the test system's own temp dir, which stop() removes.
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t.stop());

  it('resumes with an HTTP Range request, keeps the checksum, and plays on time', async () => {
    const zone = await createZone(t, 'Thôn Sóng Yếu');
    const device = await createDevice(t, 'thon-song-yeu-1', zone);
    const wav = join(t.dir, 'long.wav');
    await speechLikeWav(wav, 40);
    const program = (await approvedProgram(t, wav, 'Phổ biến Luật Thực hiện dân chủ ở cơ sở'));
    const at = tomorrowAt('09:00');
    expect((await t.api('/api/schedules', { method: 'POST', json: { programId: program.id, zoneIds: [zone], rule: { type: 'once', at } } })).status).toBe(201);

    const relay = await stallingRelay(t.sys.httpUrl);
    const cache = join(t.dir, device.id);
    const part = join(cache, 'assets', `${program.asset.sha256}.opus.part`);
    const first = testAgent(t, device, cache, { server: relay.url });
    await first.start();
    await waitFor(() => relay.isStalled());
    await waitFor(async () => ((await stat(part).catch(() => null))?.size ?? 0) > 0);
    // Power cut: the agent dies mid-download, the link drops.
    first.kill();
    relay.cut();
    const partial = (await stat(part)).size;
    expect(partial).toBeLessThan(program.asset.bytes);

    const clock = fakeTimers(Date.now());
    const second = testAgent(t, device, cache, { server: relay.url, timers: clock, telemetryMs: 86400_000 });
    clock.idleWith(() => second.settled());
    await second.start();
    const file = join(cache, 'assets', `${program.asset.sha256}.opus`);
    await waitFor(async () => (await readdir(join(cache, 'assets'))).includes(`${program.asset.sha256}.opus`));
    expect(relay.ranges).toEqual([undefined, `bytes=${partial}-`]);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(program.asset.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(program.asset.sha256);

    await clock.advanceTo(Date.parse(at) + program.asset.durationMs + 1000);
    const played = await readSinkLog(join(cache, 'sink.jsonl'));
    expect(played).toEqual([expect.objectContaining({ programId: program.id, result: 'completed', startedAt: Date.parse(at) })]);
    second.kill();
    await relay.close();
  });
});
