import { describe, expect, it } from 'vitest';
import { fromReports, fromSilence, OFFLINE_WAIT_MS, reasonKind, type GatewayFacts, type PlayReport } from '../../server/plays/settle.js';

const T = Date.parse('2026-05-04T07:00:00+07:00');
const MIN = 60_000;
const report = (result: PlayReport['result'], startedAt = T, endedAt = T + 2 * MIN, reason: string | null = null): PlayReport => ({ result, reason, startedAt, endedAt });
const online: GatewayFacts = { onlineAtStart: true, offlineSince: null, onlineNow: true, backOnlineAt: null, lagSince: null, diskFreeMb: 900, clockOffsetMs: 3 };

describe('settling a play from what its gateway reported', () => {
  it.each([
    ['completed', [report('completed')], 'played', null, 2 * MIN],
    ['every repetition completed', [report('completed'), report('completed', T + 10 * MIN, T + 12 * MIN)], 'played', null, 4 * MIN],
    ['cut short by an emergency', [report('interrupted', T, T + 30_000)], 'interrupted', 'interrupted by "Cảnh báo lũ"', 30_000],
    ['stopped because its schedule was removed', [report('cancelled', T, T + 10_000, 'removed from the schedule')], 'cancelled', 'removed from the schedule', 10_000],
    ['missed by the gateway, which says why', [report('missed', T + 9000, T + 9000, 'started 9000 ms late')], 'missed', 'started 9000 ms late', 0],
    ['failed in the player', [report('failed', T, T, 'aplay: device busy')], 'missed', 'agent error: aplay: device busy', 0],
  ])('%s', (_what, reports, status, reason, playedMs) => {
    expect(fromReports(reports, () => 'interrupted by "Cảnh báo lũ"')).toEqual({ status, reason, playedMs, startedAt: status === 'missed' ? null : T });
  });

  it('has nothing to say without reports', () => {
    expect(fromReports([], () => null)).toBeNull();
  });
});

describe('settling a play its gateway never reported', () => {
  const play = { startAt: T, endAt: T + 2 * MIN };
  const grace = 10 * MIN;

  it('waits for a gateway that is offline now: it plays from its cache and reports when it returns', () => {
    const away = { ...online, onlineAtStart: false, offlineSince: T - 3600_000, onlineNow: false };
    expect(fromSilence(play, away, T + 1 * 86400_000, grace)).toBeNull();
    expect(fromSilence(play, away, T + OFFLINE_WAIT_MS + 3 * MIN, grace)).toMatchObject({ status: 'missed', reason: `gateway offline since ${new Date(T - 3600_000).toISOString()}` });
  });

  it('waits a grace after a gateway comes back, so its stored reports can arrive', () => {
    const back = { ...online, onlineAtStart: false, offlineSince: T - 60_000, backOnlineAt: T + 20 * MIN };
    expect(fromSilence(play, back, T + 25 * MIN, grace)).toBeNull();
    expect(fromSilence(play, back, T + 31 * MIN, grace)).toMatchObject({ status: 'missed', reason: expect.stringMatching(/^gateway offline since/) });
  });

  it.each([
    ['had not received the latest schedule', { lagSince: T - 5 * MIN }, /latest schedule/],
    ['had a full disk', { diskFreeMb: 10 }, /^disk full/],
    ['had a clock far off', { clockOffsetMs: -300_000 }, /^clock wrong by -300 s/],
    ['was online and said nothing', {}, /^no report from the gateway$/],
  ])('names the reason when the gateway %s', (_what, facts, reason) => {
    expect(fromSilence(play, { ...online, ...facts }, T + 15 * MIN, grace)).toMatchObject({ status: 'missed', reason: expect.stringMatching(reason) });
  });

  it.each([
    ['gateway offline since 2026-05-04T00:00:00.000Z', 'offline'], ['gateway was not running at the time', 'offline'],
    ['asset not available or failed verification', 'asset'], ['disk full (10 MB free)', 'disk'], ['started 9000 ms late', 'late'],
    ['held by an emergency broadcast for more than 30 minutes', 'late'], ['agent error: boom', 'agent'], ['no report from the gateway', 'unknown'],
  ])('groups "%s" as %s', (reason, kind) => {
    expect(reasonKind(reason)).toBe(kind);
  });
});
