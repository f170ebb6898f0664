import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CapError } from './types.js';

/** An element with its namespace resolved: what the CAP reader walks instead of prefixed names. */
export interface XmlElement {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  /** Its own text, every text and CDATA node joined (comments dropped), entities decoded. */
  text: string;
  children: XmlElement[];
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** A CAP message is a few kilobytes; inline `derefUri` media can make it larger, not megabytes. */
export const MAX_XML_LENGTH = 2_000_000;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Entities are decoded below, where only XML's five and character references exist: with no
  // DOCTYPE there is nothing else to expand, so no external entity and no billion laughs.
  processEntities: false,
});

class XmlError extends Error {}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError(`"&" not followed by an entity reference in "${s.slice(0, 40)}"`);
    if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref];
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (!m) throw new XmlError(`undeclared entity &${ref};`);
    const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
    // XML 1.0 §2.2 Char: no C0 controls but tab, CR, LF; no surrogates; nothing past U+10FFFF.
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff)
      || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) throw new XmlError(`character reference &${ref}; is not an XML character`);
    return String.fromCodePoint(cp);
  });
}

type Node = Record<string, unknown>;

function toElement(node: Node, scope: Map<string, string>): XmlElement {
  const tag = Object.keys(node).find((k) => k !== ':@')!;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  let inner = scope;
  for (const [k, v] of Object.entries(rawAttrs)) {
    const value = decode(String(v));
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(k === 'xmlns' ? '' : k.slice(6), value);
    } else attrs[k] = value;
  }
  const colon = tag.indexOf(':');
  const prefix = colon < 0 ? '' : tag.slice(0, colon);
  const ns = inner.get(prefix);
  if (ns === undefined) throw new XmlError(`element <${tag}> uses the undeclared namespace prefix "${prefix}"`);
  const el: XmlElement = { ns, name: tag.slice(colon + 1), attrs, text: '', children: [] };
  for (const child of node[tag] as Node[]) {
    if ('#text' in child) el.text += decode(String(child['#text']));
    else el.children.push(toElement(child, inner));
  }
  return el;
}

/**
 * Well-formed XML with one root element, namespaces resolved. A DOCTYPE is refused before anything
 * is parsed: CAP never needs one, and it is how entity expansion and external entity attacks begin.
 */
export function readXml(xml: string): { ok: true; root: XmlElement } | { ok: false; error: CapError } {
  if (xml.length > MAX_XML_LENGTH) {
    return { ok: false, error: { code: 'cap_too_large', message: `The document is ${xml.length} characters; at most ${MAX_XML_LENGTH} are accepted.` } };
  }
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    return { ok: false, error: { code: 'cap_doctype_refused', message: 'The document has a DOCTYPE or entity declaration; CAP alerts have none, and they are refused to prevent entity expansion attacks (XXE, billion laughs).' } };
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return { ok: false, error: { code: 'cap_not_xml', message: `The document is not well-formed XML: ${msg} (line ${line}${col ? `, column ${col}` : ''}).` } };
  }
  try {
    const nodes = (parser.parse(xml) as Node[]).filter((n) => !('#text' in n) || String(n['#text']).trim() !== '');
    const roots = nodes.filter((n) => !('#text' in n));
    if (roots.length !== 1 || nodes.length !== 1) {
      return { ok: false, error: { code: 'cap_not_xml', message: `The document must hold exactly one root element; it holds ${roots.length}${nodes.length > roots.length ? ' and text outside it' : ''}.` } };
    }
    return { ok: true, root: toElement(roots[0], new Map([['xml', XML_NS], ['', '']])) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { code: 'cap_not_xml', message: `The document cannot be read as XML: ${message.replace(/\.$/, '')}.` } };
  }
}
