import { describe, expect, it } from 'vitest';
import {
  alert, deviceReport, generateSigningKeys, loadSigningKeys, openAlert, parseDeviceTopic, PLAY_RESULTS, signPayload, topics, type Alert,
} from '../../devices/protocol/index.js';
import { at, item } from '../helpers/agent-fixtures.js';

const keys = loadSigningKeys(generateSigningKeys().privateKeyPem);
const play: Alert = {
  deviceId: 'thon-dong-1', broadcastId: 'bc_Ab12', revision: 1, issuedAt: at('07:00'), expiresAt: at('08:00'), action: 'play',
  item: { ...item('al_bc_Ab12', at('07:00'), { priority: 'emergency', repeat: { times: 3, gapMinutes: 0.5 } }), volume: 100 }, riskLevel: 4,
};

describe('the alert contract (devices/protocol)', () => {
  it('has its own topic per device, which parses back', () => {
    expect(topics.alert('thon-dong-1', 'bc_1')).toBe('loalang/v1/dev/thon-dong-1/alert/bc_1');
    expect(topics.alerts('thon-dong-1')).toBe('loalang/v1/dev/thon-dong-1/alert/+');
    expect(parseDeviceTopic('loalang/v1/dev/thon-dong-1/alert')).toEqual({ deviceId: 'thon-dong-1', channel: 'alert' });
  });

  it('opens an alert signed by the pinned key, and refuses one signed by another', () => {
    expect(openAlert(JSON.stringify(signPayload(play, keys.privateKey)), keys.publicKeyPem)).toEqual({ ok: true, value: play });
    const other = loadSigningKeys(generateSigningKeys().privateKeyPem);
    expect(openAlert(JSON.stringify(signPayload(play, other.privateKey)), keys.publicKeyPem)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it.each<[string, Partial<Alert>]>([
    ['a play without an item', { item: undefined }],
    ['an item that is not at priority emergency', { item: { ...play.item!, priority: 'priority' } }],
    ['revision 0', { revision: 0 }],
    ['a broadcast id over 64 characters', { broadcastId: 'b'.repeat(65) }],
    ['a risk level outside 1–5 (Decision 18/2021/QĐ-TTg)', { riskLevel: 6 as Alert['riskLevel'] }],
    ['an unknown action', { action: 'replay' as Alert['action'] }],
  ])('refuses %s', (_, change) => {
    expect(alert.safeParse({ ...play, ...change }).success).toBe(false);
  });

  it('takes a cancel without an item, and a play without a risk level', () => {
    const { item: _, ...bare } = play;
    expect(alert.safeParse({ ...bare, revision: 2, action: 'cancel' }).success).toBe(true);
    expect(alert.safeParse({ ...play, riskLevel: undefined }).success).toBe(true);
  });

  it('reads the alert-status report, and a play that ended cancelled', () => {
    const status = { id: 'ev_12345678', at: at('07:00:01'), type: 'alert-status', broadcastId: 'bc_Ab12', status: 'playing', repetition: 1 };
    expect(deviceReport.parse(status)).toEqual(status);
    expect(deviceReport.safeParse({ ...status, status: 'heard' }).success).toBe(false);
    expect(deviceReport.safeParse({ ...status, reason: 'x'.repeat(501) }).success).toBe(false);
    expect(PLAY_RESULTS).toContain('cancelled');
  });
});
