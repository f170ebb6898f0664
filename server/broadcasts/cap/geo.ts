import type { CapCircle, CapPoint } from './types.js';

/** Mean Earth radius (IUGG), in km: the haversine distance is good to about 0.5 % with it. */
const EARTH_RADIUS_KM = 6371.0088;

export function distanceKm(a: CapPoint, b: CapPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function inCircle(p: CapPoint, c: CapCircle): boolean {
  return distanceKm(p, c.center) <= c.radiusKm;
}

/**
 * Ray casting on latitude/longitude taken as plane coordinates, which is how CAP polygons are
 * drawn for areas of a province's size (none here crosses the 180th meridian or a pole). Each edge
 * counts a crossing with a half-open rule on latitude, so a ray through a vertex counts once, and
 * the closing point CAP repeats adds a zero-length edge that never counts. A point exactly on an
 * edge may fall either side.
 */
export function inPolygon(p: CapPoint, ring: readonly CapPoint[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if ((a.lat > p.lat) !== (b.lat > p.lat)) {
      const lonAtLat = a.lon + ((p.lat - a.lat) * (b.lon - a.lon)) / (b.lat - a.lat);
      if (p.lon < lonAtLat) inside = !inside;
    }
  }
  return inside;
}
