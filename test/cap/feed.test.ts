import { describe, expect, it } from 'vitest';
import { parseCapFeed } from '../../server/broadcasts/cap/feed.js';
import { fixture } from './helpers.js';

describe('CAP feeds of an alert hub', () => {
  it('[RFC 4287] lists the CAP documents of an Atom feed in feed order, with their ids and update times', () => {
    const r = parseCapFeed(fixture('feed-atom.xml'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.format).toBe('atom');
    expect(r.entries).toEqual([
      {
        id: 'urn:oid:kttv:KTTV-2026-LU-0043',
        link: 'https://canhbao.example.vn/cap/KTTV-2026-LU-0043.xml',
        updated: '2026-10-10T14:00:00+07:00',
        updatedAt: Date.parse('2026-10-10T07:00:00Z'),
      },
      {
        id: 'urn:oid:kttv:KTTV-2026-LU-0042',
        link: 'https://canhbao.example.vn/cap/KTTV-2026-LU-0042.xml',
        updated: '2026-10-10T08:00:00+07:00',
        updatedAt: Date.parse('2026-10-10T01:00:00Z'),
      },
    ]);
  });

  it('[RFC 4287 §4.2.7] prefers the link typed application/cap+xml over the HTML page, and resolves it against xml:base', () => {
    const r = parseCapFeed(fixture('feed-atom.xml'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.entries[0].link).toBe('https://canhbao.example.vn/cap/KTTV-2026-LU-0043.xml');
  });

  it('skips, with a reason, an entry whose link is not an http(s) address', () => {
    const r = parseCapFeed(fixture('feed-atom.xml'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.skipped).toEqual([{ index: 2, reason: 'link "file:///etc/passwd" is not an http(s) address' }]);
  });

  it('[RSS 2.0] lists item links, an enclosure of CAP, guids and pubDate times', () => {
    const r = parseCapFeed(fixture('feed-rss.xml'));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.format).toBe('rss');
    expect(r.entries).toEqual([
      {
        id: 'KTTV-2026-MUA-0101',
        link: 'https://canhbao.example.vn/cap/KTTV-2026-MUA-0101.xml',
        updated: 'Mon, 12 Oct 2026 05:30:00 +0700',
        updatedAt: Date.parse('2026-10-11T22:30:00Z'),
      },
      {
        id: 'https://pctt.example.vn/tin/PCTT-HN-2026-0311',
        link: 'https://pctt.example.vn/cap/PCTT-HN-2026-0311.xml',
        updated: 'Mon, 12 Oct 2026 03:15:00 GMT',
        updatedAt: Date.parse('2026-10-12T03:15:00Z'),
      },
    ]);
    expect(r.skipped).toEqual([{ index: 2, reason: 'no link to a CAP document' }]);
  });

  it('resolves relative links against the feed address it was fetched from', () => {
    const rss = '<rss version="2.0"><channel><item><link>/cap/a.xml</link></item></channel></rss>';
    const r = parseCapFeed(rss, 'https://canhbao.example.vn/feed.rss');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.entries).toEqual([{ id: 'https://canhbao.example.vn/cap/a.xml', link: 'https://canhbao.example.vn/cap/a.xml' }]);
  });

  it('keeps a date it cannot read as text, without a time', () => {
    const rss = '<rss version="2.0"><channel><item><link>https://x.example/a.xml</link><pubDate>hôm nay</pubDate></item></channel></rss>';
    const r = parseCapFeed(rss);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.entries[0]).toEqual({ id: 'https://x.example/a.xml', link: 'https://x.example/a.xml', updated: 'hôm nay' });
  });

  it.each([
    ['a CAP alert instead of a feed', fixture('flood-alert.xml'), 'cap_feed_unknown_format'],
    ['a feed with a DOCTYPE', '<!DOCTYPE rss [<!ENTITY x "y">]><rss version="2.0"><channel/></rss>', 'cap_doctype_refused'],
    ['an HTML error page', '<html><body><p>502 Bad Gateway<br></p></body></html>', 'cap_not_xml'],
  ])('refuses %s', (_, xml, code) => {
    const r = parseCapFeed(xml);
    expect(r).toMatchObject({ ok: false, error: { code } });
  });
});
