/**
 * The asset checks, downloads and starts that a play waits on. A simulated clock asks `settled()`
 * before it moves on, so a week passes in milliseconds only once the real I/O of each moment is done.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => {});
    return p;
  }

  async settled() {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
