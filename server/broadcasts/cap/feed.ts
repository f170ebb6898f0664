import type { CapError } from './types.js';
import { readXml, type XmlElement } from './xml.js';

const ATOM_NS = 'http://www.w3.org/2005/Atom';

/** One alert a feed announces; fetching `link` gives the CAP document. */
export interface FeedEntry { id: string; link: string; updated?: string; updatedAt?: number }
export interface FeedSkip { index: number; reason: string }

export type FeedResult =
  | { ok: true; format: 'atom' | 'rss'; entries: FeedEntry[]; skipped: FeedSkip[] }
  | { ok: false; error: CapError };

const child = (el: XmlElement, ns: string, name: string) => el.children.find((c) => c.ns === ns && c.name === name);
const childrenOf = (el: XmlElement, ns: string, name: string) => el.children.filter((c) => c.ns === ns && c.name === name);
const textOf = (el: XmlElement | undefined) => el?.text.trim() || undefined;

// RFC 3339 for Atom (§3.3 of RFC 4287), RFC 822 for RSS 2.0; both readable by Date.parse once
// their shape is checked, so a stray string is not guessed into a date.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const RFC822 = /^([A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{2,4} \d{2}:\d{2}(:\d{2})? ([A-Za-z]{1,3}|[+-]\d{4})$/;

function when(text: string | undefined, shape: RegExp): Pick<FeedEntry, 'updated' | 'updatedAt'> {
  if (!text) return {};
  const at = shape.test(text) ? Date.parse(text) : NaN;
  return Number.isFinite(at) ? { updated: text, updatedAt: at } : { updated: text };
}

function resolve(href: string | undefined, base: string | undefined): URL | undefined {
  if (!href) return undefined;
  try { return new URL(href, base); } catch { return undefined; }
}

/** Only web addresses are handed on to be fetched: never file:, data: or anything a feed slips in. */
function webUrl(href: string | undefined, base: string | undefined): string | undefined {
  const url = resolve(href, base);
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url.href : undefined;
}

/** Atom: the link typed application/cap+xml, else the alternate one (RFC 4287 §4.2.7.2). */
function atomLink(entry: XmlElement): string | undefined {
  const links = childrenOf(entry, ATOM_NS, 'link');
  const cap = links.find((l) => /cap\+xml/i.test(l.attrs.type ?? ''));
  const alternate = links.find((l) => (l.attrs.rel ?? 'alternate') === 'alternate');
  return (cap ?? alternate ?? links[0])?.attrs.href;
}

/** RSS 2.0: an enclosure of CAP, else the item's link, else a guid that is a permalink. */
function rssLink(item: XmlElement): string | undefined {
  const enclosure = childrenOf(item, '', 'enclosure').find((e) => /cap\+xml/i.test(e.attrs.type ?? ''));
  const guid = child(item, '', 'guid');
  const permalink = guid && guid.attrs.isPermaLink !== 'false' ? textOf(guid) : undefined;
  return enclosure?.attrs.url ?? textOf(child(item, '', 'link')) ?? permalink;
}

/**
 * The alerts an alert hub's Atom or RSS 2.0 feed lists, in feed order. Entries without a usable
 * http(s) link are skipped with a reason rather than failing the feed. `baseUrl` (the feed's own
 * address) resolves relative links.
 */
export function parseCapFeed(xml: string, baseUrl?: string): FeedResult {
  const doc = readXml(xml);
  if (!doc.ok) return doc;
  const root = doc.root;
  const skipped: FeedSkip[] = [];
  const entries: FeedEntry[] = [];
  const take = (index: number, id: string | undefined, href: string | undefined, time: Pick<FeedEntry, 'updated' | 'updatedAt'>, base = baseUrl) => {
    const link = webUrl(href, base);
    if (!link) {
      skipped.push({ index, reason: href ? `link "${href}" is not an http(s) address` : 'no link to a CAP document' });
      return;
    }
    entries.push({ id: id ?? link, link, ...time });
  };
  if (root.ns === ATOM_NS && root.name === 'feed') {
    // xml:base (RFC 4287 §2) may sit on the feed and on an entry, each relative to the one above.
    const feedBase = resolve(root.attrs['xml:base'], baseUrl)?.href ?? baseUrl;
    childrenOf(root, ATOM_NS, 'entry').forEach((e, i) => {
      const time = when(textOf(child(e, ATOM_NS, 'updated')) ?? textOf(child(e, ATOM_NS, 'published')), RFC3339);
      const entryBase = resolve(e.attrs['xml:base'], feedBase)?.href ?? feedBase;
      take(i, textOf(child(e, ATOM_NS, 'id')), atomLink(e), time, entryBase);
    });
    return { ok: true, format: 'atom', entries, skipped };
  }
  const channel = root.ns === '' && root.name === 'rss' ? child(root, '', 'channel') : undefined;
  if (channel) {
    childrenOf(channel, '', 'item').forEach((item, i) => {
      take(i, textOf(child(item, '', 'guid')), rssLink(item), when(textOf(child(item, '', 'pubDate')), RFC822));
    });
    return { ok: true, format: 'rss', entries, skipped };
  }
  const name = root.ns ? `{${root.ns}}${root.name}` : root.name;
  return { ok: false, error: { code: 'cap_feed_unknown_format', element: root.name, message: `The feed's root is <${name}>; an Atom <feed> or an RSS 2.0 <rss> with a <channel> is expected.` } };
}
