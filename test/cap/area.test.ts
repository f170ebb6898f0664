import { describe, expect, it } from 'vitest';
import { explainZones, matchZones } from '../../server/broadcasts/cap/area.js';
import { distanceKm, inCircle, inPolygon } from '../../server/broadcasts/cap/geo.js';
import type { CapArea, CapPoint } from '../../server/broadcasts/cap/types.js';
import { alertOf } from './helpers.js';

// Four hamlets of one commune near 21.0 N, 105.8 E, a gateway each (Thôn Bãi has two, one unplaced).
const ZONES = [
  { id: 'thon-dong', geocodes: [{ valueName: 'MA_DVHC', value: '09877' }] },
  { id: 'thon-doai', geocodes: [{ valueName: 'MA_DVHC', value: '09880' }] },
  { id: 'thon-trung', geocodes: [] },
  { id: 'thon-bai', geocodes: [{ valueName: 'MA_THON', value: '09877' }] },
];
const GATEWAYS = [
  { id: 'gw-dong', zoneId: 'thon-dong', lat: 21.010, lon: 105.800 },
  { id: 'gw-doai', zoneId: 'thon-doai', lat: 21.000, lon: 105.780 },
  { id: 'gw-trung', zoneId: 'thon-trung', lat: 20.990, lon: 105.820 },
  { id: 'gw-bai-1', zoneId: 'thon-bai' },
  { id: 'gw-bai-2', zoneId: 'thon-bai', lat: 21.030, lon: 105.850 },
];

const area = (a: Partial<CapArea>): CapArea => ({ areaDesc: 'vùng thử', polygon: [], circle: [], geocode: [], ...a });
const ring = (...pts: [number, number][]): CapPoint[] => pts.map(([lat, lon]) => ({ lat, lon }));

describe('mapping alert areas to hamlets', () => {
  it('[CAP 1.2 §3.2.4] matches the two hamlets whose geocodes the flood warning names, and no other', () => {
    expect(matchZones(alertOf('flood-alert.xml'), ZONES, GATEWAYS)).toEqual(['thon-dong', 'thon-doai']);
  });

  it('[CAP 1.2 §3.2.4] compares a geocode by valueName and value together: the same value under another name does not match', () => {
    const only = matchZones([area({ geocode: [{ valueName: 'MA_DVHC', value: '09877' }] })], ZONES, GATEWAYS);
    expect(only).toEqual(['thon-dong']);
    expect(only).not.toContain('thon-bai');
  });

  it('[CAP 1.2 §3.2.4] matches the hamlets whose gateways stand inside the polygon alert', () => {
    expect(matchZones(alertOf('polygon-alert.xml'), ZONES, GATEWAYS)).toEqual(['thon-dong', 'thon-doai']);
  });

  it('[CAP 1.2 §3.2.4] matches the hamlet whose gateway is within the circle alert’s 2 km', () => {
    expect(matchZones(alertOf('circle-alert.xml'), ZONES, GATEWAYS)).toEqual(['thon-trung']);
  });

  it('accepts one info or a list of areas as well as a whole alert', () => {
    const a = alertOf('flood-alert.xml');
    expect(matchZones(a.info[0], ZONES, GATEWAYS)).toEqual(['thon-dong', 'thon-doai']);
    expect(matchZones(a.info[0].area, ZONES, GATEWAYS)).toEqual(['thon-dong', 'thon-doai']);
  });

  it('reaches a hamlet through any one of its gateways with coordinates; one without is passed over', () => {
    const around = area({ circle: [{ center: { lat: 21.03, lon: 105.85 }, radiusKm: 0.5 }] });
    expect(explainZones([around], ZONES, GATEWAYS)).toEqual([
      { zoneId: 'thon-bai', by: 'circle', gatewayId: 'gw-bai-2', areaDesc: 'vùng thử' },
    ]);
  });

  it('says why each hamlet matched: a geocode before a place', () => {
    const both = area({
      geocode: [{ valueName: 'MA_DVHC', value: '09877' }],
      polygon: [ring([21.02, 105.77], [21.02, 105.81], [20.995, 105.81], [20.995, 105.77], [21.02, 105.77])],
    });
    expect(explainZones([both], ZONES, GATEWAYS)).toEqual([
      { zoneId: 'thon-dong', by: 'geocode', geocode: { valueName: 'MA_DVHC', value: '09877' }, areaDesc: 'vùng thử' },
      { zoneId: 'thon-doai', by: 'polygon', gatewayId: 'gw-doai', areaDesc: 'vùng thử' },
    ]);
  });

  it('matches nothing for an area far from the commune, and ignores a gateway of a zone not listed', () => {
    const hue = area({ circle: [{ center: { lat: 16.46, lon: 107.59 }, radiusKm: 30 }] });
    expect(matchZones([hue], ZONES, GATEWAYS)).toEqual([]);
    const stray = [{ id: 'gw-x', zoneId: 'thon-khac', lat: 16.46, lon: 107.59 }];
    expect(matchZones([hue], ZONES, stray)).toEqual([]);
  });
});

describe('point in polygon (ray casting)', () => {
  // A concave "L" around the commune: the notch at the top right is outside.
  const L = ring([20.98, 105.77], [21.02, 105.77], [21.02, 105.79], [21.00, 105.79], [21.00, 105.83], [20.98, 105.83], [20.98, 105.77]);

  it.each([
    ['the Đoài gateway in the long arm', true, 21.010, 105.780],
    ['the Trung gateway in the short arm', true, 20.990, 105.820],
    ['the Đông gateway in the notch', false, 21.010, 105.800],
    ['a point west of the polygon', false, 21.000, 105.700],
    ['a point north of it', false, 21.050, 105.780],
    ['a point west whose ray runs through the first (and closing) vertex', false, 20.980, 105.700],
    ['a point whose ray runs through two vertices of the notch, inside', true, 21.000, 105.780],
    ['a point whose ray runs through the top corners, west of them', false, 21.020, 105.700],
  ])('[CAP 1.2 §3.2.4] %s: inside is %s', (_, inside, lat, lon) => {
    expect(inPolygon({ lat, lon }, L)).toBe(inside);
  });

  it('gives the same answer with or without the repeated closing point', () => {
    const open = L.slice(0, -1);
    for (const p of [{ lat: 21.01, lon: 105.78 }, { lat: 21.01, lon: 105.8 }, { lat: 20.99, lon: 105.82 }, { lat: 20.98, lon: 105.78 }]) {
      expect(inPolygon(p, open)).toBe(inPolygon(p, L));
    }
  });
});

describe('distance on the sphere (haversine)', () => {
  it.each([
    ['0.01° of latitude', { lat: 21.0, lon: 105.8 }, { lat: 21.01, lon: 105.8 }, 1.112],
    ['0.01° of longitude at 21° N', { lat: 21.0, lon: 105.8 }, { lat: 21.0, lon: 105.81 }, 1.038],
    ['Hà Nội to Huế', { lat: 21.0285, lon: 105.8542 }, { lat: 16.4637, lon: 107.5909 }, 540],
  ])('measures %s', (_, a, b, km) => {
    expect(distanceKm(a, b)).toBeCloseTo(km, km > 100 ? -1 : 2);
  });

  it('[CAP 1.2 §3.2.4] counts a point exactly on the radius as inside the circle', () => {
    const center = { lat: 21.0, lon: 105.8 };
    const p = { lat: 21.01, lon: 105.8 };
    expect(inCircle(p, { center, radiusKm: distanceKm(center, p) })).toBe(true);
    expect(inCircle(p, { center, radiusKm: distanceKm(center, p) - 0.001 })).toBe(false);
  });
});
