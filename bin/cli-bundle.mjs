// Where the built CLI lives (scripts/build-cli.mjs writes it) and whether it is fresh: every source it was
// built from is still there with the same size and mtime. A few hundred stats take a few milliseconds, far
// below what compiling the sources again costs; a stale or missing bundle means running the sources with tsx.
// The same build holds the entries of the engine process and of its target-side worker, which start from
// it likewise while it is fresh (src-main/trainer-host/bundled-entries.ts).
import { readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const ROOT = new URL('..', import.meta.url)
export const OUT_DIR = new URL('out/cli/', ROOT)
export const MANIFEST = new URL('manifest.json', OUT_DIR)
export const ENTRY = new URL('main.mjs', OUT_DIR)
export const ENGINE_ENTRY = new URL('engine.mjs', OUT_DIR)
export const TARGET_WORKER_ENTRY = new URL('target-side-worker.mjs', OUT_DIR)

/** `entry` (the CLI's by default) when the bundle was built from the sources as they are now; null otherwise. */
export function freshBundle(entry = ENTRY) {
  let manifest
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'))
    statSync(entry)
  } catch {
    return null
  }
  const root = fileURLToPath(ROOT)
  for (const [path, built] of Object.entries(manifest.sources ?? {})) {
    let now
    try {
      now = statSync(root + path)
    } catch {
      return null
    }
    if (now.size !== built.size || now.mtimeMs !== built.mtimeMs) return null
  }
  return Object.keys(manifest.sources ?? {}).length > 0 ? entry : null
}
