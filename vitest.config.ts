import { defineConfig } from 'vitest/config';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on sockets, ffmpeg and browsers rather than compute: two at once on two cores
    // (the default would be one).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
