/**
 * Faults on real files and real processes: kill -9 mid-write, a full disk, two writers at once, a writer
 * waiting on a lock held by another connection.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { StorageFullError, openLabStore, type LabStore } from '../../src-main/store'
import { newRun, tempDir, tempStore } from './helpers'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WRITER = fileURLToPath(new URL('./fixtures/metric-writer.ts', import.meta.url))

interface Writer {
  child: ChildProcess
  committed: () => number
  output: () => string
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function startWriter(dataDir: string, runId: string, key: string, batches: number, size: number, delayMs = 0): Writer {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WRITER, dataDir, runId, key, String(batches), String(size), String(delayMs)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  let committed = 0
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
    const matches = [...out.matchAll(/^committed (\d+)$/gm)]
    if (matches.length > 0) committed = Number(matches[matches.length - 1]?.[1])
  })
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  return { child, committed: () => committed, output: () => out, exit }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Every step 0..n-1 of the series is present with value step / 2. */
function expectPrefix(store: LabStore, runId: string, key: string, n: number): void {
  const series = store.db
    .prepare('SELECT id FROM metric_series WHERE run_id = ? AND key = ?')
    .pluck()
    .get(runId, key) as number
  const row = store.db
    .prepare('SELECT count(*) AS c, sum(value = step / 2.0) AS ok FROM metric_points WHERE series_id = ? AND step < ?')
    .get(series, n) as { c: number; ok: number }
  expect(row).toEqual({ c: n, ok: n })
}

describe('kill -9 of the writing process', () => {
  it('leaves an intact database holding every committed point', async () => {
    const dataDir = tempDir()
    const setup = openLabStore({ dataDir })
    const run = newRun(setup)
    setup.close()

    const size = 2000
    const writer = startWriter(dataDir, run.id, 'loss', 0, size)
    await waitFor(() => writer.committed() >= 15 || writer.child.exitCode !== null, 'commits')
    expect(writer.child.exitCode, writer.output()).toBeNull()
    writer.child.kill('SIGKILL')
    const { signal } = await writer.exit
    expect(signal).toBe('SIGKILL')
    const reported = writer.committed()
    expect(reported).toBeGreaterThanOrEqual(15)

    const store = tempStore(dataDir)
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(store.db.pragma('foreign_key_check')).toEqual([])
    const count = store.metrics.listSeries(run.id)[0]?.count ?? 0
    expect(count % size).toBe(0) // whole batches only
    expect(count).toBeGreaterThanOrEqual(reported * size)
    expectPrefix(store, run.id, 'loss', count)
    const buckets = store.metrics.readDownsampled(run.id, 'loss', { buckets: 7, strategy: 'blocks' })
    expect(buckets.reduce((a, b) => a + b.count, 0)).toBe(count)
    expect(buckets[buckets.length - 1]?.last).toBe((count - 1) / 2)
    // The killed writer owned the running run: start-up recovery sees its process is gone.
    expect(store.runs.markRunningAsInterrupted()).toEqual([run.id])
    expect(store.runs.getRun(run.id).status).toBe('interrupted')
    store.metrics.appendMetrics(run.id, [{ key: 'loss', step: count, value: count / 2 }]) // and it is writable
  })
})

describe('two processes writing at once', () => {
  it('both succeed (busy timeout) and every point lands', async () => {
    const dataDir = tempDir()
    const setup = openLabStore({ dataDir })
    const shared = newRun(setup, { status: 'running' })
    const other = newRun(setup, { status: 'running' })
    setup.close()

    const batches = 30
    const size = 1000
    const writers = [
      startWriter(dataDir, shared.id, 'loss', batches, size, 2),
      startWriter(dataDir, shared.id, 'lr', batches, size, 2),
      startWriter(dataDir, other.id, 'loss', batches, size, 2),
    ]
    const exits = await Promise.all(writers.map((w) => w.exit))
    for (const [i, e] of exits.entries()) expect(e.code, writers[i]?.output()).toBe(0)

    const store = tempStore(dataDir)
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
    for (const [runId, key] of [
      [shared.id, 'loss'],
      [shared.id, 'lr'],
      [other.id, 'loss'],
    ] as const) {
      expectPrefix(store, runId, key, batches * size)
      expect(store.metrics.lastMetrics(runId)[key]).toEqual({
        step: batches * size - 1,
        value: (batches * size - 1) / 2,
      })
    }
    expect(store.db.prepare('SELECT count(*) FROM metric_points').pluck().get()).toBe(3 * batches * size)
  })

  it('a writer waits for a lock held by another connection instead of failing', async () => {
    const dataDir = tempDir()
    const store = tempStore(dataDir)
    const run = newRun(store)
    store.db.prepare('BEGIN IMMEDIATE').run()
    store.runs.setNotes(run.id, 'holding the write lock')
    const writer = startWriter(dataDir, run.id, 'loss', 1, 10)
    await new Promise((r) => setTimeout(r, 700))
    expect(writer.committed()).toBe(0) // blocked behind our lock
    store.db.prepare('COMMIT').run()
    const { code } = await writer.exit
    expect(code, writer.output()).toBe(0)
    expect(store.metrics.listSeries(run.id)[0]?.count).toBe(10)
  })
})

describe('a full disk', () => {
  it('gives StorageFullError, rolls the batch back, and the run can still be stopped cleanly', () => {
    const store = tempStore()
    const run = newRun(store, { status: 'running' })
    store.metrics.appendMetrics(
      run.id,
      Array.from({ length: 1000 }, (_, step) => ({ key: 'loss', step, value: step / 2 })),
    )
    store.db.pragma('wal_checkpoint(TRUNCATE)')
    const pages = store.db.pragma('page_count', { simple: true }) as number
    store.db.pragma(`max_page_count = ${pages + 2}`)

    let error: unknown
    try {
      store.metrics.appendMetrics(
        run.id,
        Array.from({ length: 50_000 }, (_, i) => ({ key: 'loss', step: 1000 + i, value: (1000 + i) / 2 })),
      )
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(StorageFullError)
    expect((error as StorageFullError).code).toBe('STORAGE_FULL')
    expect((error as Error).message).toMatch(/full/)
    expect((error as Error).message).toContain(store.paths.database)

    // Nothing of the failed batch is visible; the database is intact and still answers.
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(store.metrics.listSeries(run.id)[0]).toMatchObject({ count: 1000, lastStep: 999 })
    expect(store.metrics.readSeries(run.id, 'loss')).toHaveLength(1000)
    // The service stops the run: a small update still fits.
    const failed = store.runs.updateStatus(run.id, 'failed', { error: (error as Error).message })
    expect(failed.status).toBe('failed')
    // Space comes back: writes work again.
    store.db.pragma('max_page_count = 1073741823')
    store.metrics.appendMetrics(run.id, [{ key: 'loss', step: 1000, value: 500 }])
    expect(store.metrics.lastMetrics(run.id).loss).toEqual({ step: 1000, value: 500 })
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok')
  })

  it('a new run that does not fit fails with StorageFullError too', () => {
    const store = tempStore()
    store.db.pragma('wal_checkpoint(TRUNCATE)')
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`)
    expect(() => newRun(store, { config: { big: 'x'.repeat(100_000) } })).toThrow(StorageFullError)
    expect(store.runs.listRuns()).toEqual([])
  })
})
