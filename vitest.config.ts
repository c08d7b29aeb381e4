
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { alias: { '@shared': new URL('./src-shared', import.meta.url).pathname } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // tfjs kernels are synchronous and CPU-bound; two cores means two workers at most.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
