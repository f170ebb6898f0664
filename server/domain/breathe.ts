/**
 * Cooperative yielding for long loops on the event loop: `await breathe()` inside a loop lets other
 * requests (/healthz, a gateway's report) run once ~`sliceMs` of work has passed. Cheap to call often.
 */
export function breather(sliceMs = 10) {
  let since = performance.now();
  return async function breathe(): Promise<void> {
    if (performance.now() - since < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
