import { describe, expect, it } from 'vitest';
import { decideAiring, type AiringInput, type TrustedSender } from '../../server/broadcasts/cap/trust.js';
import type { CapAlert } from '../../server/broadcasts/cap/types.js';
import { alertOf, fixture } from './helpers.js';

const NOW = Date.parse('2026-10-10T15:00:00+07:00');
const KTTV: TrustedSender = { sender: 'canhbao@kttv.gov.vn' };
const KTTV_EXTREME: TrustedSender = { sender: 'canhbao@kttv.gov.vn', conditions: { severity: ['Extreme'], urgency: ['Immediate'] } };
const KTTV_SIGNED: TrustedSender = { sender: 'canhbao@kttv.gov.vn', certificates: ['kttv-2026'] };

const decide = (alert: CapAlert, over: Partial<AiringInput> = {}) => decideAiring({
  alert, zoneIds: ['thon-dong'], signature: { status: 'unsigned' }, trusted: [KTTV], now: NOW, ...over,
});
const withStatus = (status: string) => alertOf(fixture('flood-alert.xml').replace('<status>Actual</status>', `<status>${status}</status>`));

describe('the commune trust policy', () => {
  it('airs an Actual flood warning from a trusted sender for a matched hamlet unattended', () => {
    expect(decide(alertOf('flood-alert.xml'))).toMatchObject({ action: 'auto-air', reason: 'trusted' });
  });

  it('asks a person to confirm an alert from a sender not on the list', () => {
    const d = decide(alertOf('circle-alert.xml'));
    expect(d).toMatchObject({ action: 'needs-confirmation', reason: 'untrusted-sender' });
    expect(d.message).toContain('pctt@hanoi.gov.vn');
  });

  it('compares senders without regard to case', () => {
    expect(decide(alertOf('flood-alert.xml'), { trusted: [{ sender: 'CanhBao@KTTV.gov.vn' }] }).action).toBe('auto-air');
  });

  it.each([
    ['an Extreme, Immediate update', 'flood-update.xml', 'auto-air', 'trusted'],
    ['a Severe, Expected warning', 'flood-alert.xml', 'needs-confirmation', 'conditions-not-met'],
  ])('with conditions severity Extreme and urgency Immediate, decides %s', (_, name, action, reason) => {
    const d = decide(alertOf(name), { trusted: [KTTV_EXTREME] });
    expect(d).toMatchObject({ action, reason });
    if (action === 'needs-confirmation') expect(d.message).toContain('severity Severe');
  });

  it('requires every info to meet the conditions, not one of them', () => {
    const mixed = alertOf(fixture('flood-update.xml').replace(/<\/info>/, '</info><info><category>Met</category><event>Lũ</event><urgency>Expected</urgency><severity>Moderate</severity><certainty>Likely</certainty></info>'));
    expect(decide(mixed, { trusted: [KTTV_EXTREME] }).reason).toBe('conditions-not-met');
  });

  it.each([
    ['Test', 'test'],
    ['Exercise', 'exercise'],
  ])('[CAP 1.2 §3.2.1] keeps a %s alert off public loudspeakers: test gateways only', (status, reason) => {
    const d = decide(withStatus(status));
    expect(d).toMatchObject({ action: 'test-only', reason });
    expect(d.message).toMatch(/test/i);
  });

  it('[CAP 1.2 §3.2.1] keeps the Test fixture to test gateways even from a trusted sender', () => {
    expect(decide(alertOf('test-alert.xml'), { trusted: [{ sender: 'canhbao@kttv.gov.vn' }] }).action).toBe('test-only');
  });

  it.each([
    ['Draft', 'draft'],
    ['System', 'system'],
  ])('[CAP 1.2 §3.2.1] never airs a %s message', (status, reason) => {
    expect(decide(withStatus(status))).toMatchObject({ action: 'never-air', reason });
  });

  it('[CAP 1.2 §3.2.1] never airs an Ack or an Error', () => {
    const ack = alertOf(fixture('flood-cancel.xml').replace('<msgType>Cancel</msgType>', '<msgType>Ack</msgType>'));
    expect(decide(ack)).toMatchObject({ action: 'never-air', reason: 'not-an-alert' });
  });

  it('keeps, without airing, an alert whose areas cover none of the hamlets', () => {
    const d = decide(alertOf('flood-alert.xml'), { zoneIds: [] });
    expect(d).toMatchObject({ action: 'kept-not-aired', reason: 'no-zone' });
  });

  it('[CAP 1.2 §3.2.2] keeps, without airing, an alert whose every info has expired', () => {
    const later = Date.parse('2026-10-11T08:00:00+07:00');
    expect(decide(alertOf('flood-alert.xml'), { now: later })).toMatchObject({ action: 'kept-not-aired', reason: 'expired' });
    expect(decide(alertOf('flood-alert.xml'), { now: later - 1 }).action).toBe('auto-air');
  });

  it('[CAP 1.2 §3.2.1] asks a person before a Restricted alert is read to the village', () => {
    const restricted = alertOf(fixture('flood-alert.xml').replace('<scope>Public</scope>', '<scope>Restricted</scope><restriction>Ban chỉ huy PCTT</restriction>'));
    expect(decide(restricted)).toMatchObject({ action: 'needs-confirmation', reason: 'not-public' });
  });

  it('[CAP 1.2 §3.2.1] applies a trusted sender’s Cancel of its own alerts unattended', () => {
    expect(decide(alertOf('flood-cancel.xml'), { zoneIds: [] })).toMatchObject({ action: 'auto-cancel', reason: 'trusted' });
  });

  it('[CAP 1.2 §3.2.1] asks a person when a Cancel names another sender’s alert, or comes from an untrusted sender', () => {
    const foreign = alertOf(fixture('flood-cancel.xml').replace('canhbao@kttv.gov.vn,KTTV-2026-LU-0043', 'pctt@hanoi.gov.vn,PCTT-HN-2026-0311'));
    expect(decide(foreign)).toMatchObject({ action: 'needs-confirmation', reason: 'foreign-reference' });
    expect(decide(alertOf('flood-cancel.xml'), { trusted: [] })).toMatchObject({ action: 'needs-confirmation', reason: 'untrusted-sender' });
  });

  describe('with certificates bound to the sender', () => {
    it('airs an alert signed with the sender’s certificate', () => {
      const d = decide(alertOf('flood-alert.xml'), { trusted: [KTTV_SIGNED], signature: { status: 'valid', signer: 'kttv-2026' } });
      expect(d.action).toBe('auto-air');
    });

    it('asks a person when the alert is unsigned', () => {
      expect(decide(alertOf('flood-alert.xml'), { trusted: [KTTV_SIGNED] })).toMatchObject({ action: 'needs-confirmation', reason: 'unsigned' });
    });

    it('asks a person when another configured certificate signed it', () => {
      const d = decide(alertOf('flood-alert.xml'), { trusted: [KTTV_SIGNED], signature: { status: 'valid', signer: 'pctt-hanoi' } });
      expect(d).toMatchObject({ action: 'needs-confirmation', reason: 'other-signer' });
      expect(d.message).toContain('pctt-hanoi');
    });
  });
});
