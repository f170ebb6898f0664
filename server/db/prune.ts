/** Rows deleted per statement: small enough that one chunk holds the event loop for milliseconds. */
export const PRUNE_CHUNK = 5000;

/**
 * Runs `deleteChunk(limit)` until it deletes fewer than `limit` rows, yielding to the event loop
 * between chunks: the first night after years without pruning must not stall requests or gateways.
 */
export async function deleteInChunks(deleteChunk: (limit: number) => number, limit = PRUNE_CHUNK): Promise<number> {
  let total = 0;
  for (;;) {
    const n = deleteChunk(limit);
    total += n;
    if (n < limit) return total;
    await new Promise((r) => setImmediate(r));
  }
}
