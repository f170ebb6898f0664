import { eq } from 'drizzle-orm';
import type { Feature } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { parseCapFeed } from './cap/index.js';
import type { CapService } from './cap-service.js';

/** Entries remembered as read, so a feed that keeps old alerts listed does not fetch them again. */
const SEEN_KEEP = 1000;

/**
 * Reads a CAP feed (an Atom or RSS list of alerts, as national alert hubs publish) every `everyMs`,
 * fetches each entry not seen before and hands it to the CAP service. A bad feed or alert is logged
 * and skipped; the next poll tries again.
 */
export function createCapFeed(d: { db: Db; clock: Clock; log: Logger; cap: CapService; url?: string; everyMs: number; fetchImpl?: typeof fetch }): Feature & { poll(): Promise<number> } {
  const fetchImpl = d.fetchImpl ?? fetch;
  const seenKey = 'cap.feed.seen';
  const seen = (): string[] => JSON.parse(d.db.select().from(settings).where(eq(settings.key, seenKey)).get()?.value ?? '[]');
  const remember = (ids: string[]) => {
    const value = JSON.stringify(ids.slice(-SEEN_KEEP));
    d.db.insert(settings).values({ key: seenKey, value, updatedAt: d.clock.now() }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: d.clock.now() } }).run();
  };
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<number> | null = null;

  async function pollOnce(): Promise<number> {
    if (!d.url) return 0;
    const res = await fetchImpl(d.url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`CAP feed ${d.url}: HTTP ${res.status}`);
    const feed = parseCapFeed(await res.text(), d.url);
    if (!feed.ok) throw new Error(`CAP feed ${d.url}: ${feed.error.message}`);
    const known = new Set(seen());
    let taken = 0;
    for (const entry of feed.entries) {
      if (known.has(entry.id)) continue;
      try {
        const alert = await fetchImpl(entry.link, { signal: AbortSignal.timeout(15_000) });
        if (!alert.ok) throw new Error(`HTTP ${alert.status}`);
        await d.cap.receive(await alert.text(), 'feed');
        taken++;
      } catch (err) {
        d.log.warn('CAP feed entry refused', { id: entry.id, link: entry.link, err: String((err as Error).message ?? err) });
      }
      known.add(entry.id);
    }
    remember([...known]);
    return taken;
  }

  return {
    /** One poll now (tests, and the timer); polls never overlap. */
    poll() {
      polling ??= pollOnce().finally(() => (polling = null));
      return polling;
    },
    start() {
      if (!d.url) return;
      timer = setInterval(() => void this.poll().catch((err) => d.log.warn('CAP feed poll failed', { err: String(err) })), d.everyMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
