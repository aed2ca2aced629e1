import { defineConfig } from 'vitest/config'

// Node-side test suite. Browser tests drive Debian's Chromium through playwright-core from
// inside ordinary Node tests (test/browser), so everything runs under one `vitest run`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
})
