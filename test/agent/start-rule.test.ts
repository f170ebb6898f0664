import { describe, expect, it } from 'vitest';
import { missedReason, type StartCheck } from '../../devices/agent/start-rule.js';
import { at, item } from '../helpers/agent-fixtures.js';

const base: StartCheck = { now: at('07:00'), file: '/cache/a.opus', lateToleranceMs: 5000, held: false, maxHoldMs: 30 * 60_000 };
const due = item('tin', at('07:00'));

describe('whether a due item may still start (pure, at fixed dates)', () => {
  it.each<[string, Partial<StartCheck>, ReturnType<typeof missedReason>]>([
    ['starts on time', {}, undefined],
    ['starts within the late tolerance', { now: at('07:00:05') }, undefined],
    ['is missed past the late tolerance', { now: at('07:00:05.001') }, { reason: 'started 5001 ms late' }],
    ['is missed without its audio', { file: null }, { reason: 'asset not available or failed verification' }],
    ['says why its audio is missing when that is known', { file: null, missingReason: 'disk full' }, { reason: 'disk full' }],
    ['held by an emergency, starts long after its time [Circular 39/2020/TT-BTTTT]', { now: at('07:30'), held: true }, undefined],
    ['held by an emergency past the limit, is missed', { now: at('07:30:00.001'), held: true }, { reason: 'held by an emergency broadcast for more than 30 minutes' }],
    ['an alert plays however late it arrived, until it expires', { now: at('07:40'), expiresAt: at('08:00') }, undefined],
    ['an alert never starts at its expiry', { now: at('08:00'), expiresAt: at('08:00') }, { reason: `expired at ${new Date(at('08:00')).toISOString()} before it could start`, expired: true }],
  ])('an item %s', (_, check, expected) => {
    expect(missedReason(due, { ...base, ...check })).toEqual(expected);
  });
});
