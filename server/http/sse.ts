import type { SSEStreamingApi } from 'hono/streaming';

export interface SseMessage { event: string; data: string }

/**
 * A live stream's queue: listeners `push` messages at any time; `pump` writes them in order as they
 * come, a comment line after `keepAliveMs` of silence (proxies close idle connections), until the
 * client goes; then `done` runs (listeners removed). The API's stream and the panel's share it.
 */
export function sseQueue() {
  const queue: SseMessage[] = [];
  let wake: (() => void) | null = null;
  return {
    queue,
    push(message: SseMessage) {
      queue.push(message);
      wake?.();
    },
    async pump(stream: SSEStreamingApi, hello: SseMessage, keepAliveMs: number, done: () => void) {
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      await stream.writeSSE(hello);
      try {
        while (open) {
          while (queue.length) await stream.writeSSE(queue.shift()!);
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, keepAliveMs).unref();
          });
          wake = null;
          if (!queue.length && open) await stream.write(': keep-alive\n\n');
        }
      } finally {
        done();
      }
    },
  };
}
