import { beforeEach, describe, expect, it } from 'vitest';
import { Arming } from '../../devices/agent/arming.js';
import { InFlight } from '../../devices/agent/in-flight.js';
import { plan } from '../../devices/agent/plan.js';
import type { ManifestItem } from '../../devices/protocol/index.js';
import { at, item, MB } from '../helpers/agent-fixtures.js';
import { fakeTimers } from '../helpers/fake-timers.js';

describe('arming a plan on the injected clock', () => {
  let timers: ReturnType<typeof fakeTimers>;
  let log: string[];
  let arming: Arming;
  const iso = (ms: number) => new Date(ms).toISOString();
  const cache = {
    async fetch(a: ManifestItem['asset']) {
      log.push(`fetch ${a.url} at ${iso(timers.now())}`);
      return 'file';
    },
    async verifiedFile(a: ManifestItem['asset']) {
      log.push(`check ${a.url} at ${iso(timers.now())}`);
      return `checked at ${timers.now()}`;
    },
  };
  const armAt = (now: number, items: ManifestItem[], budgetMb = 1024) => arming.arm(plan(items, {}, now, budgetMb * MB).arm);

  beforeEach(() => {
    timers = fakeTimers(at('07:00'));
    log = [];
    const inFlight = new InFlight();
    timers.idleWith(() => inFlight.settled());
    arming = new Arming({ timers, inFlight, cache, due: (i) => void log.push(`due ${i.occurrenceId} at ${iso(timers.now())}`) });
  });

  it('fetches a kept asset at once, another just in time, checks each file 500 ms before, and hands each item over at its start', async () => {
    const [a, b] = [item('a', at('08:00'), { bytes: 60 * MB }), item('b', at('09:00'), { bytes: 60 * MB })];
    armAt(at('07:00'), [a, b], 100);
    await timers.advanceTo(at('10:00'));
    expect(log).toEqual([
      `fetch ${a.asset.url} at ${iso(at('07:00'))}`,
      `check ${a.asset.url} at ${iso(at('07:59:59.500'))}`,
      `due a at ${iso(at('08:00'))}`,
      `fetch ${b.asset.url} at ${iso(at('08:45'))}`,
      `check ${b.asset.url} at ${iso(at('08:59:59.500'))}`,
      `due b at ${iso(at('09:00'))}`,
    ]);
  });

  it('hands the play the file checked at prepare time, once; later it is checked afresh', async () => {
    const a = item('a', at('08:00'));
    arming = new Arming({ timers, inFlight: new InFlight(), cache, due: () => {} });
    armAt(at('07:00'), [a]);
    await timers.advanceTo(at('07:59:59.500'));
    await timers.advanceTo(at('07:59:59.900'));
    expect(await arming.take(a)).toBe(`checked at ${at('07:59:59.500')}`);
    expect(await arming.take(a)).toBe(`checked at ${at('07:59:59.900')}`);
  });

  it('cancels every timer of the last plan when a new plan is armed', async () => {
    armAt(at('07:00'), [item('cu', at('08:00'))]);
    armAt(at('07:00'), [item('moi', at('08:30'))]);
    await timers.advanceTo(at('09:00'));
    expect(log.filter((l) => l.startsWith('due'))).toEqual([`due moi at ${iso(at('08:30'))}`]);
  });

  it('leaves nothing armed after cancelAll', async () => {
    armAt(at('07:00'), [item('a', at('08:00'), { bytes: 2000 * MB })]);
    expect(timers.pendingCount).toBe(3);
    arming.cancelAll();
    expect(timers.pendingCount).toBe(0);
  });
});
