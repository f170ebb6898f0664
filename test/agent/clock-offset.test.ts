import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ClockOffset } from '../../devices/agent/clock-offset.js';
import { realTimers, type Timers } from '../../devices/agent/timers.js';
import { at } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';

/** A stand-in for `/device/v1/time`; `answer` decides what each request gets. */
async function timeServer(answer: (res: ServerResponse) => void) {
  const seen: { url: string; authorization?: string }[] = [];
  const http: Server = createServer((req, res) => {
    seen.push({ url: req.url!, authorization: req.headers.authorization });
    answer(res);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(http.address() as { port: number }).port}`,
    seen,
    close: () => new Promise<void>((r) => {
      http.closeAllConnections();
      http.close(() => r());
    }),
  };
}

/** A gateway clock that reads `times` in turn: the moments the request left and its answer came back. */
const readings = (...times: number[]): Timers => ({ ...realTimers, now: () => times.shift() ?? NaN });

describe('the clock offset from an HTTP time exchange', () => {
  let server: Awaited<ReturnType<typeof timeServer>> | undefined;
  afterEach(() => server?.close());

  it('takes the server\'s time as the middle of the round trip (server minus gateway)', async () => {
    server = await timeServer((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now: at('07:00') })));
    const clock = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: readings(at('07:00:05'), at('07:00:05.200')), timers: realTimers });
    expect(await clock.measure()).toBe(-5100);
    expect([clock.offsetMs, clock.measuredAt]).toEqual([-5100, at('07:00:05.200')]);
    expect(server.seen).toEqual([{ url: '/device/v1/time', authorization: 'Basic abc' }]);
  });

  it('keeps the last estimate when the server answers with an error or cannot be reached', async () => {
    let ok = true;
    server = await timeServer((res) => (ok ? res.writeHead(200).end(JSON.stringify({ now: at('07:00') })) : res.writeHead(503).end()));
    const gateway = readings(at('07:00:01'), at('07:00:01'), at('07:10'), at('07:10'));
    const clock = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: gateway, timers: realTimers });
    await clock.measure();
    ok = false;
    expect(await clock.measure()).toBe(-1000);
    const url = server.url;
    await server.close();
    server = undefined;
    const offline = new ClockOffset({ server: url, authorization: 'Basic abc', clock: gateway, timers: realTimers });
    expect(await offline.measure()).toBeUndefined();
  });

  it('gives up after 5 s without an answer, by its injected timers', async () => {
    server = await timeServer(() => {});
    const net = fakeTimers(at('07:00'));
    const clock = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: fakeTimers(at('07:00')), timers: net });
    let settled = false;
    const measuring = clock.measure().then((v) => {
      settled = true;
      return v;
    });
    while (server.seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    await net.advanceTo(at('07:00:04.999'));
    expect(settled).toBe(false);
    await net.advanceTo(at('07:00:05'));
    expect(await measuring).toBeUndefined();
    expect(net.pendingCount).toBe(0);
  });

  it('shares one exchange between callers who ask at once', async () => {
    server = await timeServer((res) => res.writeHead(200).end(JSON.stringify({ now: at('07:00') })));
    const clock = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: readings(at('07:00:02'), at('07:00:02')), timers: realTimers });
    expect(await Promise.all([clock.measure(), clock.measure()])).toEqual([-2000, -2000]);
    expect(server.seen).toHaveLength(1);
  });

  it('lets a caller wait for a measurement at most as long as it says, by the injected timers', async () => {
    server = await timeServer(() => {});
    const net = fakeTimers(at('07:00'));
    const clock = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: fakeTimers(at('07:00')), timers: net });
    let waited = false;
    const waiting = clock.soon(2000).then(() => (waited = true));
    while (server.seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    await net.advanceTo(at('07:00:01.999'));
    expect(waited).toBe(false);
    await net.advanceTo(at('07:00:02'));
    await waiting;
    expect(clock.measured).toBe(false);
    await net.advanceTo(at('07:00:05'));
  });

  it('follows the estimate, but not one within half the round trip, which one exchange cannot tell from none', async () => {
    server = await timeServer((res) => res.writeHead(200).end(JSON.stringify({ now: at('07:00') })));
    const clock = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: readings(at('07:00'), at('07:00:00.100')), timers: realTimers });
    expect([clock.appliedMs, clock.measured]).toEqual([0, false]);
    expect(await clock.measure()).toBe(-50);
    expect(clock.appliedMs).toBe(0);
    const fast = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: readings(at('07:05'), at('07:05:00.100')), timers: realTimers });
    await fast.measure();
    expect(fast.appliedMs).toBe(-300_050);
    const unfollowed = new ClockOffset({ server: server.url, authorization: 'Basic abc', clock: readings(at('07:05'), at('07:05')), timers: realTimers, follow: false });
    await unfollowed.measure();
    expect([unfollowed.offsetMs, unfollowed.appliedMs]).toEqual([-300_000, 0]);
  });
});
