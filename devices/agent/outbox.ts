import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';

/**
 * Store and forward: every event the gateway must report (`played`, `command-result`, …) is written
 * to disk first and deleted only once the broker acknowledged it (QoS 1 PUBACK). After a week offline,
 * or a power cut, the reports still reach the server; the server stores each event id once.
 */
export class Outbox {
  private seq = 0;
  private flushing = false;
  private again = false;

  constructor(
    private readonly dir: string,
    private readonly now: () => number,
    private readonly send: (payload: string) => Promise<void>,
    private readonly canSend: () => boolean,
    /** Called when a send failed over a link that was up (no PUBACK in time): nothing else would try again until the next event. */
    private readonly onStuck: () => void = () => {},
  ) {}

  async add(event: { id: string }) {
    await mkdir(this.dir, { recursive: true });
    // Sortable names keep the order events happened in.
    const name = `${String(this.now()).padStart(15, '0')}-${String(this.seq++).padStart(6, '0')}-${event.id}.json`;
    await writeFileAtomic(join(this.dir, name), JSON.stringify(event));
    void this.flush();
  }

  async pending(): Promise<string[]> {
    return (await readdir(this.dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  }

  /** Sends what is queued, oldest first; stops at the first failure and tries again on the next call. */
  async flush() {
    // One flush at a time; an event added meanwhile makes the running flush go round once more.
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      // A stop (no link, no PUBACK) ends the round; a request that came in meanwhile, such as a
      // reconnect, still gets its own round.
      do {
        this.again = false;
        await this.sendAll();
      } while (this.again);
    } finally {
      this.flushing = false;
    }
  }

  /** Sends every queued file in order, stopping at the first that cannot go (no link, no PUBACK). */
  private async sendAll() {
    for (const f of await this.pending()) {
      if (!this.canSend()) return;
      const payload = await readFile(join(this.dir, f), 'utf8').catch(() => null);
      if (payload === null) continue;
      try {
        await this.send(payload);
      } catch {
        if (this.canSend()) this.onStuck();
        return;
      }
      await rm(join(this.dir, f), { force: true });
    }
  }
}
