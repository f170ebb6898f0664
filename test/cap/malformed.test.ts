import { describe, expect, it } from 'vitest';
import { parseCapAlert } from '../../server/broadcasts/cap/parse.js';
import { fixture } from './helpers.js';

const refused = (xml: string) => {
  const r = parseCapAlert(xml);
  if (r.ok) throw new Error('expected the alert to be refused');
  return r.error;
};

const flood = fixture('flood-alert.xml');
const edit = (from: string, to: string) => {
  if (!flood.includes(from)) throw new Error(`fixture has no ${from}`);
  return flood.replace(from, to);
};

describe('refusing malformed CAP fixtures', () => {
  it('[CAP 1.2 §3.2.1] refuses an Alert without info, naming info', () => {
    const e = refused(fixture('malformed/missing-info.xml'));
    expect(e).toMatchObject({ code: 'cap_missing_element', element: 'info' });
    expect(e.message).toMatch(/no info/);
  });

  it('[CAP 1.2 §3.2.1] refuses an alert in the CAP 1.1 namespace, naming both namespaces', () => {
    const e = refused(fixture('malformed/wrong-namespace.xml'));
    expect(e).toMatchObject({ code: 'cap_wrong_namespace', element: 'alert' });
    expect(e.message).toContain('urn:oasis:names:tc:emergency:cap:1.1');
    expect(e.message).toContain('urn:oasis:names:tc:emergency:cap:1.2');
  });

  it('[CAP 1.2 §3.3.2] refuses a sent time written with Z, saying an offset is required', () => {
    const e = refused(fixture('malformed/bad-sent.xml'));
    expect(e).toMatchObject({ code: 'cap_bad_time', element: 'sent' });
    expect(e.message).toContain('2026-10-10T01:00:00Z');
    expect(e.message).toMatch(/offset/);
  });

  it('[CAP 1.2 §3.2.2] refuses an urgency outside the CAP list, quoting it and the allowed values', () => {
    const e = refused(fixture('malformed/unknown-urgency.xml'));
    expect(e).toMatchObject({ code: 'cap_invalid_value', element: 'info/urgency' });
    expect(e.message).toContain('Khẩn cấp');
    expect(e.message).toContain('Immediate, Expected, Future, Past, Unknown');
  });

  it.each(['billion-laughs.xml', 'external-entity.xml'])('[XML 1.0 §2.8] refuses %s at its DOCTYPE, before any entity is expanded', (name) => {
    const started = performance.now();
    const e = refused(fixture(`malformed/${name}`));
    expect(e.code).toBe('cap_doctype_refused');
    expect(e.message).toMatch(/DOCTYPE/);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('refusing malformed alerts, one element at a time', () => {
  it.each([
    ['identifier', '<identifier>KTTV-2026-LU-0042</identifier>', '', 'cap_missing_element', 'identifier'],
    ['sender', '<sender>canhbao@kttv.gov.vn</sender>', '<sender></sender>', 'cap_missing_element', 'sender'],
    ['status', '<status>Actual</status>', '', 'cap_missing_element', 'status'],
    ['msgType', '<msgType>Alert</msgType>', '', 'cap_missing_element', 'msgType'],
    ['scope', '<scope>Public</scope>', '', 'cap_missing_element', 'scope'],
    ['info/category', '<category>Met</category>\n    <category>Safety</category>', '', 'cap_missing_element', 'info/category'],
    ['info/event', '<event>Lũ trên sông Hồng</event>', '', 'cap_missing_element', 'info/event'],
    ['info/urgency', '<urgency>Expected</urgency>', '', 'cap_missing_element', 'info/urgency'],
    ['info/severity', '<severity>Severe</severity>', '', 'cap_missing_element', 'info/severity'],
    ['info/certainty', '<certainty>Likely</certainty>', '', 'cap_missing_element', 'info/certainty'],
    ['info/area/areaDesc', '<areaDesc>Các xã ven sông Hồng: Hồng Hà, Liên Hà (Hà Nội)</areaDesc>', '', 'cap_missing_element', 'info/area/areaDesc'],
  ])('[CAP 1.2 §3.2] refuses an alert whose required %s is missing or empty, naming it', (_, from, to, code, element) => {
    const e = refused(edit(from, to));
    expect(e).toMatchObject({ code, element });
    expect(e.message).toContain(element.split('/').pop());
  });

  it.each([
    ['status', '<status>Actual</status>', '<status>Real</status>', 'Actual, Exercise, System, Test, Draft'],
    ['msgType', '<msgType>Alert</msgType>', '<msgType>Warning</msgType>', 'Alert, Update, Cancel, Ack, Error'],
    ['scope', '<scope>Public</scope>', '<scope>Everyone</scope>', 'Public, Restricted, Private'],
    ['info/category', '<category>Safety</category>', '<category>Flood</category>', 'Geo, Met, Safety'],
    ['info/severity', '<severity>Severe</severity>', '<severity>High</severity>', 'Extreme, Severe, Moderate, Minor, Unknown'],
    ['info/certainty', '<certainty>Likely</certainty>', '<certainty>Sure</certainty>', 'Observed, Likely, Possible, Unlikely, Unknown'],
    ['info/responseType', '<responseType>Prepare</responseType>', '<responseType>Run</responseType>', 'Shelter, Evacuate'],
  ])('[CAP 1.2 §3.2] refuses a %s outside the CAP list', (element, from, to, allowed) => {
    const e = refused(edit(from, to));
    expect(e).toMatchObject({ code: 'cap_invalid_value', element });
    expect(e.message).toContain(allowed);
  });

  it.each([
    ['2026-02-30T08:00:00+07:00', /calendar/],
    ['2026-10-10T24:00:00+07:00', /time of day/],
    ['2026-10-10T08:00:00', /no offset/],
    ['2026-10-10T08:00:00.500+07:00', /fractional/],
    ['2026-10-10T08:00:00+15:00', /±14:00/],
    ['10/10/2026 08:00', /not a CAP dateTime/],
  ])('[CAP 1.2 §3.3.2] refuses sent "%s"', (sent, why) => {
    const e = refused(edit('<sent>2026-10-10T08:00:00+07:00</sent>', `<sent>${sent}</sent>`));
    expect(e).toMatchObject({ code: 'cap_bad_time', element: 'sent' });
    expect(e.message).toMatch(why);
  });

  it('[CAP 1.2 §3.3.2] refuses a bad expires, naming the info it is in', () => {
    const e = refused(edit('<expires>2026-10-11T08:00:00+07:00</expires>', '<expires>ngày mai</expires>'));
    expect(e).toMatchObject({ code: 'cap_bad_time', element: 'info/expires' });
    expect(e.message).toContain('info 1');
  });

  it.each([
    ['a comma', 'KTTV,2026'],
    ['a space', 'KTTV 2026'],
    ['"&"', 'KTTV&amp;2026'],
  ])('[CAP 1.2 §3.2.1] refuses an identifier holding %s', (_, id) => {
    const e = refused(edit('<identifier>KTTV-2026-LU-0042</identifier>', `<identifier>${id}</identifier>`));
    expect(e).toMatchObject({ code: 'cap_invalid_value', element: 'identifier' });
  });

  it.each(['Update', 'Cancel'])('[CAP 1.2 §3.2.1] refuses an %s without references', (msgType) => {
    const e = refused(edit('<msgType>Alert</msgType>', `<msgType>${msgType}</msgType>`));
    expect(e).toMatchObject({ code: 'cap_missing_element', element: 'references' });
    expect(e.message).toContain(msgType);
  });

  it.each([
    ['an entry with two parts', 'canhbao@kttv.gov.vn,KTTV-2026-LU-0042', 'cap_invalid_value'],
    ['an entry whose sent time has no offset', 'canhbao@kttv.gov.vn,KTTV-2026-LU-0042,2026-10-10T08:00:00', 'cap_bad_time'],
  ])('[CAP 1.2 §3.2.1] refuses references with %s', (_, refs, code) => {
    const xml = fixture('flood-update.xml').replace(/<references>.*<\/references>/, `<references>${refs}</references>`);
    const e = refused(xml);
    expect(e).toMatchObject({ code, element: 'references' });
    expect(e.message).toContain('KTTV-2026-LU-0042');
  });

  it('[CAP 1.2 §3.2.1] refuses a Restricted alert without restriction and a Private one without addresses', () => {
    expect(refused(edit('<scope>Public</scope>', '<scope>Restricted</scope>'))).toMatchObject({ code: 'cap_missing_element', element: 'restriction' });
    expect(refused(edit('<scope>Public</scope>', '<scope>Private</scope>'))).toMatchObject({ code: 'cap_missing_element', element: 'addresses' });
  });

  it('[CAP 1.2 §3.2.1] refuses an element that may occur once appearing twice', () => {
    const e = refused(edit('<sender>canhbao@kttv.gov.vn</sender>', '<sender>canhbao@kttv.gov.vn</sender><sender>gia@mao.vn</sender>'));
    expect(e).toMatchObject({ code: 'cap_repeated_element', element: 'sender' });
  });

  it('[CAP 1.2 §3.2] refuses an element CAP does not define, and one from another namespace', () => {
    const e1 = refused(edit('<urgency>Expected</urgency>', '<urgency>Expected</urgency><priority>cao</priority>'));
    expect(e1).toMatchObject({ code: 'cap_unknown_element', element: 'info/priority' });
    const e2 = refused(edit('<scope>Public</scope>', '<scope>Public</scope><x:extra xmlns:x="urn:example">1</x:extra>'));
    expect(e2).toMatchObject({ code: 'cap_unknown_element', element: 'extra' });
    expect(e2.message).toContain('urn:example');
  });

  it.each([
    ['with three points', '21.02,105.77 21.02,105.81 21.02,105.77', /at least four/],
    ['that is not closed', '21.02,105.77 21.02,105.81 20.995,105.81 20.995,105.77', /not closed/],
    ['with a latitude beyond 90', '91.02,105.77 21.02,105.81 20.995,105.81 91.02,105.77', /latitude,longitude/],
    ['whose pairs are written with semicolons', '21.02;105.77 21.02,105.81 20.995,105.81 21.02;105.77', /latitude,longitude/],
  ])('[CAP 1.2 §3.2.4] refuses a polygon %s', (_, polygon, why) => {
    const xml = fixture('polygon-alert.xml').replace(/<cap:polygon>.*<\/cap:polygon>/, `<cap:polygon>${polygon}</cap:polygon>`);
    const e = refused(xml);
    expect(e).toMatchObject({ code: 'cap_invalid_value', element: 'info/area/polygon' });
    expect(e.message).toMatch(why);
    expect(e.message).toContain('polygon 1');
  });

  it.each([
    ['without a radius', '20.99,105.82'],
    ['with a negative radius', '20.99,105.82 -2'],
    ['with a radius in metres and a unit', '20.99,105.82 2000m'],
  ])('[CAP 1.2 §3.2.4] refuses a circle %s', (_, circle) => {
    const xml = fixture('circle-alert.xml').replace(/<circle>.*<\/circle>/, `<circle>${circle}</circle>`);
    expect(refused(xml)).toMatchObject({ code: 'cap_invalid_value', element: 'info/area/circle' });
  });

  it('[CAP 1.2 §3.2.4] refuses a ceiling without an altitude', () => {
    const xml = fixture('circle-alert.xml').replace('<circle>', '<ceiling>500</ceiling><circle>');
    expect(refused(xml)).toMatchObject({ code: 'cap_missing_element', element: 'info/area/altitude' });
  });

  it('[CAP 1.2 §3.2.4] refuses a geocode without its value', () => {
    const e = refused(edit('<value>09880</value>', ''));
    expect(e).toMatchObject({ code: 'cap_missing_element', element: 'info/area/geocode/value' });
    expect(e.message).toContain('geocode 2');
  });

  it.each([
    ['not XML at all', 'Cảnh báo lũ', 'cap_not_xml'],
    ['unclosed elements', '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</alert>', 'cap_not_xml'],
    ['two root elements', '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>', 'cap_not_xml'],
    ['an undeclared entity', edit('<scope>Public</scope>', '<scope>Public</scope><note>&xxe;</note>'), 'cap_not_xml'],
    ['an entity named after an Object property', edit('<scope>Public</scope>', '<scope>Public</scope><note>&constructor;</note>'), 'cap_not_xml'],
    ['an element named __proto__', edit('<scope>Public</scope>', '<scope>Public</scope><__proto__>x</__proto__>'), 'cap_not_xml'],
    ['elements nested 500 deep', `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${'<a>'.repeat(500)}${'</a>'.repeat(500)}</alert>`, 'cap_not_xml'],
    ['an undeclared namespace prefix', '<cap:alert><cap:identifier>x</cap:identifier></cap:alert>', 'cap_not_xml'],
    ['a root other than alert', '<feed xmlns="http://www.w3.org/2005/Atom"/>', 'cap_wrong_root'],
    ['an alert in no namespace', flood.replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', ''), 'cap_wrong_namespace'],
    ['a text of three million characters', `<alert>${'x'.repeat(3_000_000)}</alert>`, 'cap_too_large'],
  ])('refuses %s with a clear code', (_, xml, code) => {
    const e = refused(xml);
    expect(e.code).toBe(code);
    expect(e.message.length).toBeGreaterThan(20);
  });
});
