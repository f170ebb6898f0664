import { describe, expect, it } from 'vitest';
import { capKey, parseCapAlert, resolveReferences } from '../../server/broadcasts/cap/parse.js';
import { alertOf, fixture } from './helpers.js';

describe('reading CAP 1.2 alerts', () => {
  it('[CAP 1.2 §3.2.1] reads the alert block of a flood warning: identifier, sender, sent with its offset, status, msgType, scope', () => {
    const a = alertOf('flood-alert.xml');
    expect(a).toMatchObject({
      identifier: 'KTTV-2026-LU-0042',
      sender: 'canhbao@kttv.gov.vn',
      sent: '2026-10-10T08:00:00+07:00',
      sentAt: Date.parse('2026-10-10T01:00:00Z'),
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      source: 'Đài Khí tượng Thủy văn khu vực Đồng bằng Bắc Bộ',
      code: ['VN-KTTV'],
      incidents: ['LU-SONG-HONG-2026-10'],
      references: [],
      addresses: [],
    });
    expect(a.info).toHaveLength(2);
  });

  it('[CAP 1.2 §3.2.2] reads each info block with repeated elements as arrays and times as epoch ms beside the text', () => {
    const [vi, en] = alertOf('flood-alert.xml').info;
    expect(vi).toMatchObject({
      language: 'vi-VN',
      category: ['Met', 'Safety'],
      event: 'Lũ trên sông Hồng',
      responseType: ['Prepare', 'Evacuate'],
      urgency: 'Expected',
      severity: 'Severe',
      certainty: 'Likely',
      onset: '2026-10-10T19:00:00+07:00',
      onsetAt: Date.parse('2026-10-10T12:00:00Z'),
      expires: '2026-10-11T08:00:00+07:00',
      expiresAt: Date.parse('2026-10-11T01:00:00Z'),
      headline: 'Cảnh báo lũ trên sông Hồng tại Hà Nội',
      parameter: [{ valueName: 'capDoRuiRoThienTai', value: '2' }],
    });
    expect(vi.description).toContain('9,65 m');
    expect(en.language).toBe('en-US');
  });

  it('[CAP 1.2 §3.2.4] reads an area with its two geocodes', () => {
    const [area] = alertOf('flood-alert.xml').info[0].area;
    expect(area.areaDesc).toContain('Hồng Hà');
    expect(area.geocode).toEqual([
      { valueName: 'MA_DVHC', value: '09877' },
      { valueName: 'MA_DVHC', value: '09880' },
    ]);
    expect(area.polygon).toEqual([]);
    expect(area.circle).toEqual([]);
  });

  it('[CAP 1.2 §3.2.4] reads a polygon as points, keeping the closing point, from an alert written with a cap: prefix', () => {
    const a = alertOf('polygon-alert.xml');
    const ring = a.info[0].area[0].polygon[0];
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual({ lat: 21.02, lon: 105.77 });
    expect(ring[4]).toEqual(ring[0]);
  });

  it('[CAP 1.2 §3.2.4] reads a circle as its centre and a radius in kilometres', () => {
    const circle = alertOf('circle-alert.xml').info[0].area[0].circle[0];
    expect(circle).toEqual({ center: { lat: 20.99, lon: 105.82 }, radiusKm: 2 });
  });

  it('[CAP 1.2 §3.2.2] gives an info without language the default en-US', () => {
    const xml = fixture('flood-alert.xml').replace('<language>vi-VN</language>', '');
    expect(alertOf(xml).info[0].language).toBe('en-US');
  });

  it('[CAP 1.2 §3.2.1] parses references of an Update into sender, identifier, sent triples', () => {
    const a = alertOf('flood-update.xml');
    expect(a.msgType).toBe('Update');
    expect(a.references).toEqual([{
      sender: 'canhbao@kttv.gov.vn', identifier: 'KTTV-2026-LU-0042', sent: '2026-10-10T08:00:00+07:00', sentAt: Date.parse('2026-10-10T01:00:00Z'),
    }]);
  });

  it('[CAP 1.2 §3.2.1] accepts a Cancel without info, naming both earlier alerts', () => {
    const a = alertOf('flood-cancel.xml');
    expect(a.msgType).toBe('Cancel');
    expect(a.info).toEqual([]);
    expect(a.references.map((r) => r.identifier)).toEqual(['KTTV-2026-LU-0042', 'KTTV-2026-LU-0043']);
  });

  it('[CAP 1.2 §3.2.1] reads a Test alert as such (the trust policy keeps it off public loudspeakers)', () => {
    expect(alertOf('test-alert.xml').status).toBe('Test');
  });

  it('[CAP 1.2 §3.3.2] accepts -00:00 for UTC and any offset up to ±14:00', () => {
    const at = (sent: string) => alertOf(fixture('flood-alert.xml').replace('<sent>2026-10-10T08:00:00+07:00</sent>', `<sent>${sent}</sent>`)).sentAt;
    expect(at('2026-10-10T01:00:00-00:00')).toBe(Date.parse('2026-10-10T01:00:00Z'));
    expect(at('2026-10-09T15:00:00-10:00')).toBe(Date.parse('2026-10-10T01:00:00Z'));
    expect(at('2026-10-10T15:00:00+14:00')).toBe(Date.parse('2026-10-10T01:00:00Z'));
  });

  it('[CAP 1.2 §3.2.1] splits addresses and incidents on spaces, keeping a quoted entry whole', () => {
    const xml = fixture('flood-alert.xml')
      .replace('<scope>Public</scope>', '<scope>Private</scope><addresses>ubnd-lienha "Ban chỉ huy PCTT xã" ubnd-hongha</addresses>');
    expect(alertOf(xml).addresses).toEqual(['ubnd-lienha', 'Ban chỉ huy PCTT xã', 'ubnd-hongha']);
  });

  it('[XML 1.0 §4.1] decodes character and predefined entity references and CDATA in text', () => {
    const xml = fixture('flood-alert.xml')
      .replace('<headline>Cảnh báo lũ trên sông Hồng tại Hà Nội</headline>', '<headline>Lũ &amp; ngập &#272;&#x1ED3;ng <![CDATA[<bằng>]]></headline>');
    expect(alertOf(xml).info[0].headline).toBe('Lũ & ngập Đồng <bằng>');
  });

  it('[XML-DSig] reads an alert that carries an enveloped ds:Signature, ignoring the signature element', () => {
    const xml = fixture('flood-alert.xml').replace('</alert>', '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature></alert>');
    expect(alertOf(xml).identifier).toBe('KTTV-2026-LU-0042');
  });

  it('is pure: the same text gives the same alert every time', () => {
    const xml = fixture('flood-update.xml');
    expect(parseCapAlert(xml)).toEqual(parseCapAlert(xml));
  });
});

describe('resolving references against the alerts already received', () => {
  const known = new Set([capKey(alertOf('flood-alert.xml'))]);

  it('[CAP 1.2 §3.2.1] finds the original of an Update among the alerts received', () => {
    const r = resolveReferences(alertOf('flood-update.xml'), known);
    expect(r.ok).toBe(true);
  });

  it('[CAP 1.2 §3.2.1] names the one reference that was never received, with the code cap_unknown_reference', () => {
    const r = resolveReferences(alertOf('malformed/unknown-reference.xml'), known);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('cap_unknown_reference');
    expect(r.error.element).toBe('references');
    expect(r.error.message).toContain('KTTV-2026-LU-0007');
    expect(r.error.message).not.toContain('KTTV-2026-LU-0042');
    expect(r.unknown.map((u) => u.identifier)).toEqual(['KTTV-2026-LU-0007']);
  });

  it('[CAP 1.2 §3.2.1] keys an alert as its references entry is written: sender,identifier,sent', () => {
    expect(capKey(alertOf('flood-alert.xml'))).toBe('canhbao@kttv.gov.vn,KTTV-2026-LU-0042,2026-10-10T08:00:00+07:00');
  });
});
