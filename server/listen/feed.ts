import type { PublicBroadcast } from './service.js';

// XML 1.0 has no place for most control characters: text typed by an officer must not break the feed.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
export const xml = (s: string) =>
  s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** RFC 822 date-time, as RSS 2.0 asks (`Mon, 02 Mar 2026 01:00:00 GMT`). */
export const rfc822 = (ms: number) => new Date(ms).toUTCString();

export interface FeedChannel {
  title: string;
  description: string;
  /** The "nghe lại" page, absolute. */
  pageUrl: string;
  /** The feed itself, absolute (atom:link rel=self, which validators and podcast apps look for). */
  feedUrl: string;
  audioUrl: (id: string) => string;
  author: string;
}

/**
 * The podcast feed: RSS 2.0 with one `<enclosure>` per broadcast (the airing MP3, its exact length),
 * and the iTunes tags podcast apps read. `guid` names the program and its airing version, so a newly
 * approved version arrives as a new episode.
 */
export function rssFeed(channel: FeedChannel, items: PublicBroadcast[], now: number): string {
  const entries = items.map((b) => `
    <item>
      <title>${xml(b.title)}</title>
      <link>${xml(`${channel.pageUrl}#${b.id}`)}</link>
      <guid isPermaLink="false">${xml(`${b.id}-v${b.version}`)}</guid>
      <pubDate>${rfc822(b.date)}</pubDate>
      <category>${xml(b.categoryLabel)}</category>
      <description>${xml(b.text ?? `${b.categoryLabel}: ${b.title}`)}</description>
      <enclosure url="${xml(channel.audioUrl(b.id))}" length="${b.mp3Bytes}" type="audio/mpeg"/>
      <itunes:duration>${Math.round(b.durationMs / 1000)}</itunes:duration>
      <itunes:explicit>false</itunes:explicit>
    </item>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${xml(channel.title)}</title>
    <link>${xml(channel.pageUrl)}</link>
    <description>${xml(channel.description)}</description>
    <language>vi</language>
    <lastBuildDate>${rfc822(items[0]?.date ?? now)}</lastBuildDate>
    <atom:link href="${xml(channel.feedUrl)}" rel="self" type="application/rss+xml"/>
    <itunes:author>${xml(channel.author)}</itunes:author>
    <itunes:summary>${xml(channel.description)}</itunes:summary>
    <itunes:type>episodic</itunes:type>
    <itunes:explicit>false</itunes:explicit>
    <itunes:category text="Government"/>${entries}
  </channel>
</rss>
`;
}
