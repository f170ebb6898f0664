import { Fields, fail, within, type Place } from './fields.js';
import type { CapArea, CapCircle, CapPoint, CapResource, CapValuePair } from './types.js';
import type { XmlElement } from './xml.js';

const AREA = ['areaDesc', 'polygon', 'circle', 'geocode', 'altitude', 'ceiling'] as const;
const PAIR = ['valueName', 'value'] as const;
const RESOURCE = ['resourceDesc', 'mimeType', 'size', 'uri', 'derefUri', 'digest'] as const;

/** `geocode`, `eventCode`, `parameter`: both parts required (CAP 1.2 §3.2.2, §3.2.4). */
export function readPairs(f: Fields, name: string, section: string): CapValuePair[] {
  const list = f.elements(name);
  return list.map((el, i) => {
    const g = new Fields(el, PAIR, within(f.place, name, i));
    return { valueName: g.required('valueName', section), value: g.required('value', section) };
  });
}

/** "lat,lon" in WGS 84 decimal degrees (CAP 1.2 §3.2.4, coordinate pairs). */
function readPoint(text: string, element: string, label: string): CapPoint {
  const m = /^([+-]?\d+(?:\.\d+)?),([+-]?\d+(?:\.\d+)?)$/.exec(text);
  const lat = m ? Number(m[1]) : NaN;
  const lon = m ? Number(m[2]) : NaN;
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) {
    fail('cap_invalid_value', element, `${label} has "${text}", which is not a "latitude,longitude" pair in WGS 84 degrees.`);
  }
  return { lat, lon };
}

function readPolygon(f: Fields, text: string, i: number): CapPoint[] {
  const element = f.path('polygon');
  const label = within(f.place, 'polygon', i).where;
  const points = text.split(/\s+/).map((p) => readPoint(p, element, label));
  if (points.length < 4) {
    fail('cap_invalid_value', element, `${label} has ${points.length} points; CAP 1.2 §3.2.4 requires at least four, the first and last the same.`);
  }
  const [first, last] = [points[0], points[points.length - 1]];
  if (first.lat !== last.lat || first.lon !== last.lon) {
    fail('cap_invalid_value', element, `${label} is not closed: its first point (${first.lat},${first.lon}) and last point (${last.lat},${last.lon}) must be the same (CAP 1.2 §3.2.4).`);
  }
  return points;
}

function readCircle(f: Fields, text: string, i: number): CapCircle {
  const element = f.path('circle');
  const label = within(f.place, 'circle', i).where;
  const parts = text.split(/\s+/);
  if (parts.length !== 2) {
    fail('cap_invalid_value', element, `${label} is "${text}"; CAP 1.2 §3.2.4 writes a circle as "latitude,longitude radius" (radius in km).`);
  }
  const radius = /^\d+(\.\d+)?$/.test(parts[1]) ? Number(parts[1]) : NaN;
  if (!Number.isFinite(radius)) fail('cap_invalid_value', element, `${label} has radius "${parts[1]}", which is not a distance in kilometres.`);
  return { center: readPoint(parts[0], element, label), radiusKm: radius };
}

export function readArea(el: XmlElement, place: Place): CapArea {
  const f = new Fields(el, AREA, place);
  const polygons = f.all('polygon');
  const circles = f.all('circle');
  const altitude = f.optional('altitude');
  const ceiling = f.optional('ceiling');
  if (ceiling !== undefined && altitude === undefined) {
    fail('cap_missing_element', f.path('altitude'), `${f.at()} has a ceiling but no altitude; CAP 1.2 §3.2.4 allows ceiling only with altitude.`);
  }
  return {
    areaDesc: f.required('areaDesc', '§3.2.4'),
    polygon: polygons.map((t, i) => readPolygon(f, t, i)),
    circle: circles.map((t, i) => readCircle(f, t, i)),
    geocode: readPairs(f, 'geocode', '§3.2.4'),
    ...(altitude !== undefined && { altitude: f.number('altitude', altitude) }),
    ...(ceiling !== undefined && { ceiling: f.number('ceiling', ceiling) }),
  };
}

export function readResource(el: XmlElement, place: Place): CapResource {
  const f = new Fields(el, RESOURCE, place);
  const size = f.optional('size');
  const optional = (name: 'uri' | 'derefUri' | 'digest') => {
    const v = f.optional(name);
    return v === undefined ? {} : { [name]: v };
  };
  return {
    resourceDesc: f.required('resourceDesc', '§3.2.3'),
    mimeType: f.required('mimeType', '§3.2.3'),
    ...(size !== undefined && { size: f.integer('size', size) }),
    ...optional('uri'),
    ...optional('derefUri'),
    ...optional('digest'),
  };
}
