/**
 * Build of the desktop app (platform.md §4): main and preload from src-main, the renderer from
 * src-renderer, all three sharing the '@shared' alias. Output: out/{main,preload,renderer}.
 */
import { resolve } from 'node:path'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'electron-vite'

const alias = { '@shared': resolve(import.meta.dirname, 'src-shared') }

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      // Only `dependencies` are externalized by default; the optional native tfjs backends must be listed,
      // or an installed tfjs-node-gpu gets bundled and the build fails.
      externalizeDeps: { include: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] },
      // `index` names the output out/main/index.js (package.json "main"); `trainer-host` is the engine
      // process the app starts with utilityProcess.fork (src-main/app/utility-engine-host.ts), emitted as
      // out/main/trainer-host.js next to it, and the target-side worker thread it may start.
      lib: {
        entry: {
          index: resolve(import.meta.dirname, 'src-main/app/main.ts'),
          'trainer-host': resolve(import.meta.dirname, 'src-main/trainer-host/main.ts'),
          // The engine process's second thread (target-side-thread.ts looks for it next to its own chunk).
          'target-side-worker': resolve(import.meta.dirname, 'src-main/trainer-host/target-side-worker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      // A sandboxed preload cannot require npm packages, so bundle everything it imports; and it cannot be
      // an ES module, so emit CommonJS (out/preload/index.cjs).
      externalizeDeps: false,
      lib: { entry: { index: resolve(import.meta.dirname, 'src-main/preload/index.ts') }, formats: ['cjs'] },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src-renderer'),
    resolve: { alias },
    // Options inline: no svelte.config.* file. Svelte 5 reads `<script lang="ts">` without a preprocessor.
    plugins: [svelte({ configFile: false })],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      rollupOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
})
