// `npm run test:slurm`: tests against a real single-node Slurm started on this machine (root only).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/slurm.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
