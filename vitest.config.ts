import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A real Slurm cluster: its own script and config (npm run test:slurm).
    exclude: [...configDefaults.exclude, 'test/slurm.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: one worker per core; onnxruntime sessions in tests use one thread each.
    maxWorkers: 2,
  },
});
