/**
 * Store speed on a real database file in a temp folder (`npx tsx bench/store-bench.ts [--json]`; also run
 * by `npm run bench`). Targets of issue #3 on the 2-core machine, printed, not asserted:
 *   ingest ≥ 200k metric points/s in batched transactions,
 *   1000-bucket downsample of a 1M-point series < 50 ms,
 *   listing 10k runs with their last metrics < 100 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MetricPoint } from '@shared/store/types'
import { openLabStore } from '../src-main/store'

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

export interface StoreBenchOptions {
  /** Points in the ingest / downsample series (default 1M). */
  points?: number
  batch?: number
  runs?: number
  /** Keep the temp folder (prints its path). */
  keep?: boolean
}

export async function benchStore(options: StoreBenchOptions = {}): Promise<Record<string, number>> {
  const totalPoints = options.points ?? 1_000_000
  const batch = options.batch ?? 10_000
  const runCount = options.runs ?? 10_000
  const dir = mkdtempSync(join(tmpdir(), 'clab-store-bench-'))
  const store = openLabStore({ dataDir: dir })
  try {
    const figures: Record<string, number> = {}

    // Ingest: one series of `totalPoints` points in transactions of `batch` points (a loss curve).
    const run = store.runs.createRun({
      kind: 'distill',
      config: { bench: true },
      appVersion: 'bench',
      status: 'running',
    })
    const wall = Date.now()
    const batches: MetricPoint[][] = []
    for (let start = 0; start < totalPoints; start += batch) {
      const points: MetricPoint[] = []
      for (let step = start; step < Math.min(totalPoints, start + batch); step++) {
        points.push({
          key: 'loss',
          step,
          value: Math.exp(-step / 2e5) + 0.05 * Math.sin(step * 0.37),
          wallMs: wall + step,
        })
      }
      batches.push(points)
    }
    let t0 = performance.now()
    for (const points of batches) store.metrics.appendMetrics(run.id, points)
    const ingestMs = performance.now() - t0
    figures.ingestPointsPerSec = Math.round(totalPoints / (ingestMs / 1000))
    figures.ingestBatch = batch

    // Several keys per step, as the trainer logs them (loss, lr, grad norm, ema decay).
    const multi = store.runs.createRun({
      kind: 'distill',
      config: { bench: true },
      appVersion: 'bench',
      status: 'running',
    })
    const keys = ['loss', 'lr', 'gradNorm', 'emaDecay']
    const stepsPerBatch = batch / keys.length
    t0 = performance.now()
    for (let start = 0; start < totalPoints / keys.length; start += stepsPerBatch) {
      const points: MetricPoint[] = []
      for (let step = start; step < start + stepsPerBatch; step++)
        for (const key of keys) points.push({ key, step, value: step * 1e-3, wallMs: wall })
      store.metrics.appendMetrics(multi.id, points)
    }
    figures.ingest4KeysPointsPerSec = Math.round(totalPoints / ((performance.now() - t0) / 1000))

    // Downsample the 1M-point series into 1000 buckets: whole range and a middle step range.
    const times: number[] = []
    for (let i = 0; i < 7; i++) {
      t0 = performance.now()
      store.metrics.readDownsampled(run.id, 'loss', { buckets: 1000 })
      times.push(performance.now() - t0)
    }
    figures.downsample1MTo1000BucketsMs = round2(median(times))
    const ranged: number[] = []
    for (let i = 0; i < 7; i++) {
      t0 = performance.now()
      store.metrics.readDownsampled(run.id, 'loss', { buckets: 1000, fromStep: 123_457, toStep: 876_543 })
      ranged.push(performance.now() - t0)
    }
    figures.downsampleRange750kTo1000BucketsMs = round2(median(ranged))
    t0 = performance.now()
    store.metrics.readDownsampled(run.id, 'loss', { buckets: 1000, strategy: 'raw' })
    figures.downsample1MRawPassMs = round2(performance.now() - t0)
    t0 = performance.now()
    const full = store.metrics.readSeries(run.id, 'loss')
    figures.readFullSeries1MMs = round2(performance.now() - t0)
    if (full.length !== totalPoints) throw new Error(`read ${full.length} points, expected ${totalPoints}`)

    // 10k runs, each with 4 metric series of 20 points, some tagged.
    t0 = performance.now()
    const created = performance.now()
    store.db.transaction(() => {
      for (let i = 0; i < runCount; i++) {
        const r = store.runs.createRun({
          kind: i % 10 === 0 ? 'teacher' : 'distill',
          config: { steps: 1000, lr: 1e-4, index: i },
          appVersion: 'bench',
          status: i % 7 === 0 ? 'failed' : 'finished',
          seed: i,
          tags: i % 3 === 0 ? ['sweep-a'] : [],
          now: 1_700_000_000_000 + i * 1000,
        })
        const points: MetricPoint[] = []
        for (let step = 0; step < 20; step++)
          for (const key of keys) points.push({ key, step: step * 50, value: Math.random(), wallMs: wall })
        store.metrics.appendMetrics(r.id, points)
      }
    })()
    figures.create10kRunsWith80PointsMs = Math.round(performance.now() - created)
    const listTimes: number[] = []
    let listed = 0
    for (let i = 0; i < 5; i++) {
      t0 = performance.now()
      listed = store.runs.listRuns().length
      listTimes.push(performance.now() - t0)
    }
    figures.listRunsWithLastMetricsMs = round2(median(listTimes))
    figures.listedRuns = listed
    t0 = performance.now()
    store.runs.listRuns({ tags: ['sweep-a'], status: 'finished' })
    figures.listRunsFilteredMs = round2(performance.now() - t0)
    return figures
  } finally {
    store.close()
    if (options.keep === true) console.log(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchStore()
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures))
  else for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(40)} ${value}`)
}
