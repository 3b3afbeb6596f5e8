import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Console tests spawn real child processes; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Wechaty's own warnings (the mock puppet cannot keep a contact remark) would bury the
    // test output; its errors still show.
    env: { WECHATY_LOG: 'error' },
  },
});
