import { describe, expect, it } from 'vitest';
import { plan, withinBudget } from '../../devices/agent/plan.js';
import type { ManifestItem } from '../../devices/protocol/index.js';
import { at, item, MB, sha } from '../helpers/agent-fixtures.js';

/** A plan in a form a table can state: [occurrenceId, fetchAt, prepareAt, dueAt], and the kept sha256s in order. */
function planned(items: ManifestItem[], played: Record<string, number>, now: number, budgetMb: number) {
  const p = plan(items, played, now, budgetMb * MB);
  return { arm: p.arm.map((a) => [a.item.occurrenceId, a.fetchAt, a.prepareAt, a.dueAt]), kept: [...p.kept].sort() };
}

interface Row { title: string; items: ManifestItem[]; played: Record<string, number>; now: number; budgetMb: number; arm: unknown[][]; kept: string[] }

describe('what a manifest asks of the gateway (pure, at fixed dates)', () => {
  it.each<Row>([
    {
      title: 'an upcoming item whose asset fits is fetched now, re-checked 500 ms before it starts, and due at its start',
      items: [item('sang', at('07:00'))], played: {}, now: at('06:00'), budgetMb: 1024,
      arm: [['sang', 'now', at('06:59:59.500'), at('07:00')]], kept: ['sang'],
    },
    {
      title: 'an item already played is left out, even if the manifest still lists it',
      items: [item('sang', at('07:00')), item('chieu', at('17:00'))], played: { sang: at('07:00') }, now: at('07:00:30'), budgetMb: 1024,
      arm: [['chieu', 'now', at('16:59:59.500'), at('17:00')]], kept: ['chieu'],
    },
    {
      title: 'an item that has ended is left out; one under way (the agent restarted during it) is still armed',
      items: [item('xong', at('06:00'), { durationS: 60 }), item('dang', at('06:59'), { durationS: 120 })], played: {}, now: at('07:00'), budgetMb: 1024,
      arm: [['dang', 'now', at('06:58:59.500'), at('06:59')]], kept: ['dang'],
    },
    {
      title: 'an asset the budget leaves out is fetched 15 minutes before it plays',
      items: [item('a', at('08:00'), { bytes: 60 * MB }), item('b', at('09:00'), { bytes: 60 * MB })], played: {}, now: at('07:00'), budgetMb: 100,
      arm: [['a', 'now', at('07:59:59.500'), at('08:00')], ['b', at('08:45'), at('08:59:59.500'), at('09:00')]], kept: ['a'],
    },
    {
      title: 'a just-in-time fetch whose time has passed is armed in the past, so it runs at once',
      items: [item('a', at('07:10'), { bytes: 60 * MB }), item('b', at('07:05'), { bytes: 60 * MB })], played: {}, now: at('07:00'), budgetMb: 100,
      arm: [['a', at('06:55'), at('07:09:59.500'), at('07:10')], ['b', 'now', at('07:04:59.500'), at('07:05')]], kept: ['b'],
    },
  ])('$title', ({ items, played, now, budgetMb, arm, kept }) => {
    const p = planned(items, played, now, budgetMb);
    expect(p.arm).toEqual(arm);
    expect(p.kept).toEqual(kept.map(sha).sort());
  });

  it('arms nothing and keeps nothing for an empty manifest', () => {
    expect(plan([], {}, at('07:00'), 1024 * MB)).toEqual({ arm: [], kept: new Set() });
  });
});

describe('the disk budget', () => {
  it.each([
    {
      title: 'keeps the assets needed soonest, whatever order the manifest lists them in',
      items: [item('c', at('10:00'), { bytes: 40 * MB }), item('a', at('08:00'), { bytes: 40 * MB }), item('b', at('09:00'), { bytes: 40 * MB })],
      budgetMb: 100, kept: ['a', 'b'],
    },
    {
      title: 'counts an asset that several items play once',
      items: [item('sang', at('07:00'), { bytes: 60 * MB, asset: 'tin' }), item('chieu', at('17:00'), { bytes: 60 * MB, asset: 'tin' }), item('toi', at('19:00'), { bytes: 30 * MB })],
      budgetMb: 100, kept: ['tin', 'toi'],
    },
    {
      title: 'skips an asset too large for what is left and still keeps a smaller, later one',
      items: [item('a', at('08:00'), { bytes: 60 * MB }), item('lon', at('09:00'), { bytes: 50 * MB }), item('nho', at('10:00'), { bytes: 30 * MB })],
      budgetMb: 100, kept: ['a', 'nho'],
    },
    {
      title: 'keeps nothing when no asset fits',
      items: [item('a', at('08:00'), { bytes: 2 * MB })], budgetMb: 1, kept: [],
    },
  ])('$title', ({ items, budgetMb, kept }) => {
    expect([...withinBudget(items, budgetMb * MB)].sort()).toEqual(kept.map(sha).sort());
  });
});
