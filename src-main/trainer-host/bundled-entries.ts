/**
 * Which script starts the engine process and its target-side worker thread. `npm run build` (build-cli.mjs)
 * bundles both beside the CLI in out/cli; while that build matches the sources (the manifest's sizes and
 * mtimes, cli-bundle.mjs) they start from it. Otherwise they start from the sources through tsx, which
 * compiles the engine's modules again in every process: about a second of CPU per run and per worker here.
 * CLAB_NO_BUNDLE=1 in the environment the process is given always takes the sources, as it does for `clab`.
 */
import { fileURLToPath } from 'node:url'
import { ENGINE_ENTRY, freshBundle, TARGET_WORKER_ENTRY } from '../../bin/cli-bundle.mjs'

const wanted = (env: NodeJS.ProcessEnv) => !env.CLAB_NO_BUNDLE

/** out/cli/engine.mjs when fresh and wanted; null means the sources (bootstrap.mjs). */
export function bundledEngineEntry(env: NodeJS.ProcessEnv = process.env): string | null {
  const entry = wanted(env) ? freshBundle(ENGINE_ENTRY) : null
  return entry ? fileURLToPath(entry) : null
}

/** out/cli/target-side-worker.mjs when fresh and wanted; null means the sources. */
export function bundledTargetWorker(env: NodeJS.ProcessEnv = process.env): URL | null {
  return wanted(env) ? freshBundle(TARGET_WORKER_ENTRY) : null
}
