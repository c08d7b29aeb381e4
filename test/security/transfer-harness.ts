/**
 * What transfer-export.test.ts and transfer-import.test.ts share (issue #15): one real backend per test
 * file, started by useTransferBackend, and the checks and fixtures both read it through.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, beforeAll } from 'vitest'
import { startBackend, type Backend } from '../api/harness'
import { exportedRun, sampleEntry } from '../helpers/run-fixture'
export { value, error } from '../helpers/api-result'

export let backend: Backend

/** Starts the file's backend before its tests and closes it after them (call at the file's top level). */
export function useTransferBackend(name: string): void {
  beforeAll(async () => {
    backend = await startBackend(name)
  })
  afterAll(async () => {
    await backend?.close()
  })
}

export const TRANSPORTS = ['in-process', 'websocket'] as const

/** `PRAGMA integrity_check` of the live database through a second, read-only connection. */
export function integrity(): string {
  const db = new BetterSqlite3(join(backend.dataDir, 'lab.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return db.pragma('integrity_check', { simple: true }) as string
  } finally {
    db.close()
  }
}

export function sqliteHeader(name: string): string {
  return readFileSync(join(backend.dataDir, name)).subarray(0, 15).toString('latin1')
}

export const runCount = () => backend.store.runs.listRuns().length
export const teacherCount = () => backend.store.teachers.listTeachers().length
/** Entries of runs/ and teachers/: a failed import leaves none behind (not even a temporary folder). */
export const storeEntries = () =>
  [...readdirSync(join(backend.dataDir, 'runs')), ...readdirSync(join(backend.dataDir, 'teachers'))].sort()

let fixtures = 0

/** A valid exported run folder at `<data>/exports/<name>`, changed by `edit` (run.json) before it is written. */
export function runFolder(name: string, edit: (run: Record<string, unknown>) => void = () => {}): string {
  const dir = join(backend.dataDir, 'exports', name)
  mkdirSync(join(dir, 'samples'), { recursive: true })
  mkdirSync(join(dir, 'checkpoints'), { recursive: true })
  const run = exportedRun(`20260101-000000-fixture${++fixtures}`, {
    samples: [sampleEntry('samples/student-nfe1.csv')],
    checkpoints: [{ step: 100, path: 'checkpoints/final.ckpt', bytes: 4 }],
  })
  edit(run)
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run))
  writeFileSync(
    join(dir, 'metrics.csv'),
    'key,step,value,wall_ms\nloss,1,0.5,1767225600000\nloss,2,NaN,1767225600001\n',
  )
  writeFileSync(
    join(dir, 'evaluations.json'),
    JSON.stringify([{ step: 100, metric: 'swd', model: 'student', nfe: 1, value: 0.1 }]),
  )
  writeFileSync(join(dir, 'samples', 'student-nfe1.csv'), 'x,y\n0,0\n1,1\n')
  writeFileSync(join(dir, 'checkpoints', 'final.ckpt'), 'ckpt')
  return dir
}
