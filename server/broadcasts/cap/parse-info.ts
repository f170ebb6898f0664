import { Fields, fail, within, type Place } from './fields.js';
import { readArea, readPairs, readResource } from './parse-area.js';
import { Category, Certainty, ResponseType, Severity, Urgency, type CapInfo } from './types.js';
import type { XmlElement } from './xml.js';

const INFO = [
  'language', 'category', 'event', 'responseType', 'urgency', 'severity', 'certainty', 'audience', 'eventCode',
  'effective', 'onset', 'expires', 'senderName', 'headline', 'description', 'instruction', 'web', 'contact',
  'parameter', 'resource', 'area',
] as const;

// RFC 3066 as CAP 1.2 §3.2.2 cites it: a primary tag of letters, then subtags of letters and digits.
const LANGUAGE = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

export function readInfo(el: XmlElement, place: Place): CapInfo {
  const f = new Fields(el, INFO, place);
  const language = f.optional('language') ?? 'en-US';
  if (!LANGUAGE.test(language)) {
    fail('cap_invalid_value', f.path('language'), `language of ${place.where} is "${language}", which is not an RFC 3066 language tag such as vi-VN.`);
  }
  const categories = f.all('category');
  if (categories.length === 0) {
    fail('cap_missing_element', f.path('category'), `${place.where} has no category; CAP 1.2 §3.2.2 requires at least one.`);
  }
  const effective = f.optionalTime('effective');
  const onset = f.optionalTime('onset');
  const expires = f.optionalTime('expires');
  const text = (name: 'audience' | 'senderName' | 'headline' | 'description' | 'instruction' | 'web' | 'contact') => {
    const v = f.optional(name);
    return v === undefined ? {} : { [name]: v };
  };
  const areas = f.elements('area');
  const resources = f.elements('resource');
  return {
    language,
    category: categories.map((c) => f.value(Category, c, 'category')),
    event: f.required('event', '§3.2.2'),
    responseType: f.all('responseType').map((r) => f.value(ResponseType, r, 'responseType')),
    urgency: f.value(Urgency, f.required('urgency', '§3.2.2'), 'urgency'),
    severity: f.value(Severity, f.required('severity', '§3.2.2'), 'severity'),
    certainty: f.value(Certainty, f.required('certainty', '§3.2.2'), 'certainty'),
    ...text('audience'),
    eventCode: readPairs(f, 'eventCode', '§3.2.2'),
    ...(effective.text !== undefined && { effective: effective.text, effectiveAt: effective.at }),
    ...(onset.text !== undefined && { onset: onset.text, onsetAt: onset.at }),
    ...(expires.text !== undefined && { expires: expires.text, expiresAt: expires.at }),
    ...text('senderName'),
    ...text('headline'),
    ...text('description'),
    ...text('instruction'),
    ...text('web'),
    ...text('contact'),
    parameter: readPairs(f, 'parameter', '§3.2.2'),
    resource: resources.map((r, i) => readResource(r, within(place, 'resource', i))),
    area: areas.map((a, i) => readArea(a, within(place, 'area', i))),
  };
}
