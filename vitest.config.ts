import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{runtime,variants,workloads,scripts}/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
