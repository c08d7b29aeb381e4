import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { openLabStore, type LabStore } from '../../src-main/store'

const dirs: string[] = []
const stores: LabStore[] = []

afterEach(() => {
  for (const s of stores.splice(0)) if (s.db.open) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A fresh temp folder, removed after the test. */
export function tempDir(prefix = 'clab-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** A LabStore on a real file in a fresh temp data folder, closed after the test. */
export function tempStore(dataDir = tempDir()): LabStore {
  const store = openLabStore({ dataDir })
  stores.push(store)
  return store
}

export function newRun(store: LabStore, extra: Partial<Parameters<LabStore['runs']['createRun']>[0]> = {}) {
  return store.runs.createRun({
    kind: 'distill',
    config: { steps: 100, lr: 1e-4 },
    appVersion: '0.1.0-test',
    seed: 7,
    ...extra,
  })
}
