import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // The renderer's state classes (*.svelte.ts) use runes, which only the Svelte compiler understands.
  plugins: [svelte({ configFile: false })],
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
