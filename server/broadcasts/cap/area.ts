import { inCircle, inPolygon } from './geo.js';
import type { CapAlert, CapArea, CapInfo, CapValuePair } from './types.js';

/** A hamlet and the codes the alert hub uses for it (a commune or district code, say). */
export interface ZoneCodes { id: string; geocodes: readonly CapValuePair[] }
/** A gateway's place; one without coordinates can only be reached through its zone's geocodes. */
export interface GatewayPlace { id: string; zoneId: string; lat?: number; lon?: number }

export type ZoneMatch =
  | { zoneId: string; by: 'geocode'; geocode: CapValuePair; areaDesc: string }
  | { zoneId: string; by: 'polygon' | 'circle'; gatewayId: string; areaDesc: string };

export function areasOf(source: CapAlert | CapInfo | readonly CapArea[]): CapArea[] {
  if (Array.isArray(source)) return [...source];
  if ('msgType' in source) return source.info.flatMap((i) => i.area);
  return [...(source as CapInfo).area];
}

const sameCode = (a: CapValuePair, b: CapValuePair) =>
  a.valueName.trim() === b.valueName.trim() && a.value.trim() === b.value.trim();

/**
 * Why each zone is covered: the first geocode of the zone an area names, else the first gateway
 * of the zone inside one of its polygons or circles. Zones come back in the order given; a
 * gateway of a zone not in `zones` is not counted.
 */
export function explainZones(
  source: CapAlert | CapInfo | readonly CapArea[],
  zones: readonly ZoneCodes[],
  gateways: readonly GatewayPlace[],
): ZoneMatch[] {
  const areas = areasOf(source);
  const out: ZoneMatch[] = [];
  for (const zone of zones) {
    const match = byGeocode(zone, areas) ?? byPlace(zone, areas, gateways);
    if (match) out.push(match);
  }
  return out;
}

function byGeocode(zone: ZoneCodes, areas: CapArea[]): ZoneMatch | undefined {
  for (const area of areas) {
    const geocode = area.geocode.find((g) => zone.geocodes.some((z) => sameCode(g, z)));
    if (geocode) return { zoneId: zone.id, by: 'geocode', geocode, areaDesc: area.areaDesc };
  }
  return undefined;
}

function byPlace(zone: ZoneCodes, areas: CapArea[], gateways: readonly GatewayPlace[]): ZoneMatch | undefined {
  for (const g of gateways) {
    if (g.zoneId !== zone.id || g.lat === undefined || g.lon === undefined) continue;
    const p = { lat: g.lat, lon: g.lon };
    for (const area of areas) {
      if (area.polygon.some((ring) => inPolygon(p, ring))) {
        return { zoneId: zone.id, by: 'polygon', gatewayId: g.id, areaDesc: area.areaDesc };
      }
      if (area.circle.some((c) => inCircle(p, c))) {
        return { zoneId: zone.id, by: 'circle', gatewayId: g.id, areaDesc: area.areaDesc };
      }
    }
  }
  return undefined;
}

/** The zones (hamlets) an alert's areas cover, in the order `zones` lists them. */
export function matchZones(
  source: CapAlert | CapInfo | readonly CapArea[],
  zones: readonly ZoneCodes[],
  gateways: readonly GatewayPlace[],
): string[] {
  return explainZones(source, zones, gateways).map((m) => m.zoneId);
}
