import { createHash } from 'node:crypto';
import type { Manifest, ManifestItem } from '../../devices/protocol/index.js';
import type { AssetRef } from './manifest.js';
import { deviceTag, occurrenceBase, type Play, type ScheduleDef } from './occurrences.js';

/** A manifest item without its device: what every gateway of a hamlet plays, its JSON written once. */
export interface ZoneItem {
  base: string;
  item: Omit<ManifestItem, 'occurrenceId'>;
  /** `JSON.stringify(item)` without its opening brace: what follows the occurrence id in the manifest. */
  rest: string;
}

/**
 * A schedule's items, made once per rebuild however many hamlets it targets (remembered by its plays
 * array, which the planner computes once per schedule): the id hash and the JSON are the costly part.
 */
const itemsByPlays = new WeakMap<Play[], ZoneItem[]>();
function scheduleItems(s: ScheduleDef, plays: Play[], assets: Map<string, AssetRef>): ZoneItem[] {
  let out = itemsByPlays.get(plays);
  if (out) return out;
  out = [];
  for (const p of plays) {
    const a = assets.get(p.programId);
    if (!a) continue;
    const item: ZoneItem['item'] = {
      programId: p.programId, title: a.title, priority: s.priority, startAt: p.startAt,
      asset: { sha256: a.sha256, bytes: a.bytes, durationMs: a.durationMs, url: a.url },
    };
    if (s.volume != null) item.volume = s.volume;
    if (s.repeat && s.repeat.times > 1) item.repeat = s.repeat;
    out.push({ base: occurrenceBase(s.id, p.startAt), item, rest: JSON.stringify(item).slice(1) });
  }
  itemsByPlays.set(plays, out);
  return out;
}

/**
 * A hamlet's items once: each schedule's plays (computed once per rebuild, whatever the number of
 * hamlets it targets) turned into items, sorted by start then id, cut to `maxItems` (the soonest).
 */
export function zoneItems(schedules: ScheduleDef[], playsOf: (s: ScheduleDef) => Play[], assets: Map<string, AssetRef>, maxItems = Infinity): ZoneItem[] {
  const out: ZoneItem[] = [];
  for (const s of schedules) for (const z of scheduleItems(s, playsOf(s), assets)) out.push(z);
  out.sort((a, b) => a.item.startAt - b.item.startAt || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  return out.length > maxItems ? out.slice(0, maxItems) : out;
}

/** A hamlet's items as JSON text cut around each device's part of the occurrence ids, and their hash. */
export interface ZoneTemplate {
  /** sha256 of what every gateway of the hamlet is given (items and quiet hours). */
  hash: string;
  /** Joined with a device's tag, these make the device's `items` array (without the brackets). */
  segments: string[];
  quietHours?: Manifest['quietHours'];
  count: number;
}

/**
 * The hamlet's items serialised once. Each item is `{"occurrenceId":"oc_<base><tag>",…}`: the text is
 * split where the tag goes, so a device's items are `segments.join(tag)` — no per-device objects,
 * no per-device JSON.stringify, and byte for byte what JSON.stringify would write.
 */
export function zoneTemplate(items: ZoneItem[], quietHours?: Manifest['quietHours']): ZoneTemplate {
  const segments: string[] = [];
  let open = '';
  for (const z of items) {
    // `{"occurrenceId":"oc_<base>` + tag + `","programId":…}`: the item's own JSON after its first brace.
    segments.push(`${open}{"occurrenceId":"oc_${z.base}`);
    open = `",${z.rest},`;
  }
  if (items.length) segments.push(open.slice(0, -1));
  const hash = createHash('sha256').update(segments.join('\0')).update('\0').update(JSON.stringify(quietHours ?? null));
  return { hash: hash.digest('hex'), segments, quietHours, count: items.length };
}

/**
 * What decides whether a device needs a new manifest: its items are its hamlet's with its own tag in
 * the ids, so the hamlet's hash and the device's id name them (no hash of its own to compute per
 * gateway: at 10,000 gateways a change did 10,000 more sha256s for nothing).
 */
export const deviceItemsHash = (t: ZoneTemplate, deviceId: string) => `${t.hash}|${deviceId}`;

/** One device's manifest as the exact JSON text that is signed. */
export function devicePayload(t: ZoneTemplate, m: DeviceHeader): string {
  return deviceManifestBytes(t, m).payload.toString('utf8');
}

export interface DeviceHeader { deviceId: string; version: number; issuedAt: number; validUntil: number }

/** A template's text as UTF-8 bytes, raw (the signed payload) and JSON-escaped (the payload inside the envelope), made once per hamlet. */
interface TemplateBytes { raw: Buffer[]; rawLength: number; escaped: Buffer[]; escapedLength: number }
const bytesOf = new WeakMap<ZoneTemplate, TemplateBytes>();
const escape = (text: string) => JSON.stringify(text).slice(1, -1);
const total = (parts: Buffer[]) => parts.reduce((n, p) => n + p.length, 0);
function templateBytes(t: ZoneTemplate): TemplateBytes {
  let b = bytesOf.get(t);
  if (!b) {
    const raw = t.count ? t.segments.map((x) => Buffer.from(x)) : [];
    const escaped = t.count ? t.segments.map((x) => Buffer.from(escape(x))) : [];
    b = { raw, rawLength: total(raw), escaped, escapedLength: total(escaped) };
    bytesOf.set(t, b);
  }
  return b;
}

/**
 * `first`, the parts joined with the device's tag, `last`, written into one buffer of `extra` more
 * bytes (left for the caller): one allocation per manifest rather than a buffer per piece.
 */
function joined(parts: Buffer[], partsLength: number, tag: string, first: string, last: string, extra = 0) {
  const size = Buffer.byteLength(first) + partsLength + Math.max(0, parts.length - 1) * tag.length + Buffer.byteLength(last) + extra;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(first, 0);
  for (let i = 0; i < parts.length; i++) {
    if (i) at += out.write(tag, at, 'latin1');
    at += parts[i].copy(out, at);
  }
  at += out.write(last, at);
  return { out, at };
}

/**
 * One device's manifest as bytes: the payload to sign and, once signed, the envelope that carries it
 * — byte for byte `JSON.stringify({ payload, sig })`, made from the hamlet's text without ever holding
 * the device's manifest as a (two-byte, Vietnamese) JavaScript string or escaping it again.
 */
export function deviceManifestBytes(t: ZoneTemplate, m: DeviceHeader) {
  const head = `{"deviceId":${JSON.stringify(m.deviceId)},"version":${m.version},"issuedAt":${m.issuedAt},"validUntil":${m.validUntil},"items":[`;
  const tail = `]${t.quietHours ? `,"quietHours":${JSON.stringify(t.quietHours)}` : ''}}`;
  // The tag is base64url: the same bytes raw and escaped.
  const tag = t.count ? deviceTag(m.deviceId) : '';
  const bytes = templateBytes(t);
  return {
    payload: joined(bytes.raw, bytes.rawLength, tag, head, tail).out,
    envelope: (sig: string) => {
      const close = `","sig":${JSON.stringify(sig)}}`;
      const { out, at } = joined(bytes.escaped, bytes.escapedLength, tag, `{"payload":"${escape(head)}`, escape(tail), Buffer.byteLength(close));
      out.write(close, at);
      return out;
    },
  };
}

/**
 * The version a device's next manifest gets, or null when it needs none: only when its items (or
 * quiet hours) changed, or when it holds a version we never published (`floor`: a restored backup).
 * Monotonic per device; the agent refuses anything not newer than what it holds.
 */
export function nextVersion(previous: { version: number; itemsHash: string } | undefined, hash: string, floor?: number): number | null {
  if (floor === undefined && previous?.itemsHash === hash) return null;
  return Math.max(previous?.version ?? 0, floor ?? 0) + 1;
}
