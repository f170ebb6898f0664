import { describe, expect, it } from 'vitest';
import {
  capKey, decideAiring, matchZones, parseCapFeed, pickSpeech, readCapAlert, resolveReferences, type CapAlert,
} from '../../server/broadcasts/cap/index.js';
import { fixture } from './helpers.js';

const ZONES = [
  { id: 'thon-dong', geocodes: [{ valueName: 'MA_DVHC', value: '09877' }] },
  { id: 'thon-trung', geocodes: [] },
];
const GATEWAYS = [{ id: 'gw-trung', zoneId: 'thon-trung', lat: 20.99, lon: 105.82 }];
const TRUSTED = [{ sender: 'canhbao@kttv.gov.vn' }];

/** What an integrator does with one document, composed from the public API. */
function handle(xml: string, now: number, known: Set<string>) {
  const read = readCapAlert(xml, []);
  if (!read.ok) return { error: read.error.code };
  const alert: CapAlert = read.alert;
  const refs = resolveReferences(alert, known);
  known.add(capKey(alert));
  const zoneIds = matchZones(alert, ZONES, GATEWAYS);
  const decision = decideAiring({ alert, zoneIds, signature: read.signature, trusted: TRUSTED, now });
  return { action: decision.action, zoneIds, speech: pickSpeech(alert)?.text ?? null, unknownRefs: refs.ok ? [] : refs.unknown.length };
}

describe('a flood warning, its update and its cancel, through the public API', () => {
  it('[CAP 1.2 §3.2.1] airs the warning and the update on Thôn Đông, then cancels, each reference known', () => {
    const known = new Set<string>();
    const feed = parseCapFeed(fixture('feed-atom.xml'));
    expect(feed.ok && feed.entries.map((e) => e.link.split('/').pop())).toEqual(['KTTV-2026-LU-0043.xml', 'KTTV-2026-LU-0042.xml']);

    const alert = handle(fixture('flood-alert.xml'), Date.parse('2026-10-10T08:01:00+07:00'), known);
    expect(alert).toMatchObject({ action: 'auto-air', zoneIds: ['thon-dong'], unknownRefs: [] });
    expect(alert.speech).toMatch(/^Cảnh báo lũ trên sông Hồng tại Hà Nội\./);

    const update = handle(fixture('flood-update.xml'), Date.parse('2026-10-10T14:01:00+07:00'), known);
    expect(update).toMatchObject({ action: 'auto-air', zoneIds: ['thon-dong'], unknownRefs: [] });

    const cancel = handle(fixture('flood-cancel.xml'), Date.parse('2026-10-11T06:01:00+07:00'), known);
    expect(cancel).toMatchObject({ action: 'auto-cancel', speech: null, unknownRefs: [] });
  });

  it('plays the circle alert nowhere unattended: its sender is not trusted', () => {
    expect(handle(fixture('circle-alert.xml'), Date.parse('2026-10-12T10:16:00+07:00'), new Set())).toMatchObject({
      action: 'needs-confirmation', zoneIds: ['thon-trung'],
    });
  });

  it('refuses a malformed document before any decision', () => {
    expect(handle(fixture('malformed/unknown-urgency.xml'), 0, new Set())).toEqual({ error: 'cap_invalid_value' });
  });
});
