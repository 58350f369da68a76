import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start Java and emulators: give them room, never a timing assertion.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    allowOnly: false,
  },
});
