import { describe, expect, it } from 'vitest'
import type { MetricBucket, MetricPoint } from '@shared/store/types'
import { BLOCK_SIZE, StoreInputError, type LabStore } from '../../src-main/store'
import { Rng } from '@shared/rng'
import { newRun, tempStore } from './helpers'

/** Independent reference: per bucket, straight from the definition (BigInt for the bounds). */
type Bucket = Omit<MetricBucket, 'lastWallMs'>

function bruteForce(points: readonly { step: number; value: number }[], from: number, to: number, n: number): Bucket[] {
  const span = to - from + 1
  const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b
  const groups = new Map<number, { step: number; value: number }[]>()
  for (const p of points) {
    if (p.step < from || p.step > to) continue
    const b = Number((BigInt(p.step - from) * BigInt(n)) / BigInt(span))
    const group = groups.get(b)
    if (group === undefined) groups.set(b, [p])
    else group.push(p)
  }
  return [...groups.keys()]
    .sort((a, b) => a - b)
    .map((index) => {
      const ps = (groups.get(index) as { step: number; value: number }[]).slice().sort((a, b) => a.step - b.step)
      const finite = ps.map((p) => p.value).filter((v) => !Number.isNaN(v))
      const first = ps[0] as { step: number; value: number }
      const last = ps[ps.length - 1] as { step: number; value: number }
      return {
        index,
        start: from + Number(ceilDiv(BigInt(index) * BigInt(span), BigInt(n))),
        end: from + Number(ceilDiv(BigInt(index + 1) * BigInt(span), BigInt(n))) - 1,
        count: ps.length,
        firstStep: first.step,
        lastStep: last.step,
        first: first.value,
        last: last.value,
        min: finite.length === 0 ? null : finite.reduce((a, b) => Math.min(a, b)),
        max: finite.length === 0 ? null : finite.reduce((a, b) => Math.max(a, b)),
      }
    })
}

/** Checks the block summaries partition the stored points exactly. */
function checkBlocks(store: LabStore, runId: string, key: string): void {
  const series = store.db
    .prepare('SELECT id, count FROM metric_series WHERE run_id = ? AND key = ?')
    .get(runId, key) as { id: number; count: number }
  const blocks = store.db
    .prepare('SELECT * FROM metric_blocks WHERE series_id = ? ORDER BY first_step')
    .all(series.id) as {
    first_step: number
    last_step: number
    count: number
  }[]
  const points = store.db
    .prepare('SELECT step FROM metric_points WHERE series_id = ? ORDER BY step')
    .pluck()
    .all(series.id) as number[]
  expect(blocks.reduce((a, b) => a + b.count, 0)).toBe(points.length)
  expect(series.count).toBe(points.length)
  let i = 0
  for (const b of blocks) {
    expect(b.count).toBeLessThanOrEqual(BLOCK_SIZE)
    expect(points[i]).toBe(b.first_step)
    i += b.count
    expect(points[i - 1]).toBe(b.last_step)
  }
}

/** Compares everything but wall times (the reference has none; 'wall time of the last point' has its own test). */
function expectSameBuckets(actual: MetricBucket[], expected: Bucket[], label: string): void {
  expect(actual.length, label).toBe(expected.length)
  // toEqual treats NaN as equal to NaN and compares every field exactly.
  expect(
    actual.map(({ lastWallMs: _wall, ...b }) => b),
    label,
  ).toEqual(expected)
}

/** A noisy loss curve with gaps, NaN and ±Infinity, written in several batches. */
function randomSeries(rng: Rng, count: number): { step: number; value: number }[] {
  const points: { step: number; value: number }[] = []
  let step = Math.floor(rng.uniform() * 5)
  for (let i = 0; i < count; i++) {
    const u = rng.uniform()
    const value =
      u < 0.01 ? Number.NaN : u < 0.012 ? Infinity : u < 0.014 ? -Infinity : Math.round(rng.normal() * 1000) / 100 + 0 // ties on purpose; + 0 turns -0 into 0 (SQLite keeps no sign of zero)
    points.push({ step, value })
    step += rng.uniform() < 0.9 ? 1 : 1 + Math.floor(rng.uniform() * 300) // dense runs with gaps
  }
  return points
}

function append(
  store: LabStore,
  runId: string,
  key: string,
  points: readonly { step: number; value: number }[],
  batch: number,
): void {
  for (let i = 0; i < points.length; i += batch) {
    store.metrics.appendMetrics(
      runId,
      points.slice(i, i + batch).map((p) => ({ key, ...p })),
    )
  }
}

describe('readDownsampled wall times', () => {
  it('gives each bucket the wall time logged with its last point, on both folding strategies', () => {
    const store = tempStore()
    const run = newRun(store)
    const points: MetricPoint[] = Array.from({ length: 5000 }, (_, i) => ({
      key: 'loss',
      step: i * 2,
      value: Math.sin(i),
      wallMs: 1_000_000 + i * 7,
    }))
    store.metrics.appendMetrics(run.id, points)
    for (const strategy of ['raw', 'blocks'] as const) {
      const buckets = store.metrics.readDownsampled(run.id, 'loss', { buckets: 13, strategy })
      expect(buckets.length).toBe(13)
      for (const b of buckets)
        expect(b.lastWallMs, `${strategy} bucket ${b.index}`).toBe(1_000_000 + (b.lastStep / 2) * 7)
    }
  })
})

describe('appendMetrics / readSeries', () => {
  it('round-trips points, NaN and ±Infinity exactly, keys kept apart, wall time defaulted', () => {
    const store = tempStore()
    const run = newRun(store)
    const points: MetricPoint[] = [
      { key: 'loss', step: 0, value: 0.1 + 0.2, wallMs: 5 },
      { key: 'lr', step: 0, value: 1e-4, wallMs: 5 },
      { key: 'loss', step: 1, value: Number.NaN, wallMs: 6 },
      { key: 'loss', step: 2, value: -Infinity, wallMs: 7 },
      { key: 'loss', step: 3, value: Number.MIN_VALUE, wallMs: 8 },
    ]
    expect(store.metrics.appendMetrics(run.id, points)).toBe(5)
    store.metrics.appendMetrics(run.id, [{ key: 'loss', step: 4, value: 9 }], 1234)
    expect(store.metrics.readSeries(run.id, 'loss')).toEqual([
      { step: 0, value: 0.1 + 0.2, wallMs: 5 },
      { step: 1, value: Number.NaN, wallMs: 6 },
      { step: 2, value: -Infinity, wallMs: 7 },
      { step: 3, value: Number.MIN_VALUE, wallMs: 8 },
      { step: 4, value: 9, wallMs: 1234 },
    ])
    expect(store.metrics.readSeries(run.id, 'loss', { fromStep: 1, toStep: 2 }).map((p) => p.step)).toEqual([1, 2])
    expect(store.metrics.readSeries(run.id, 'lr')).toEqual([{ step: 0, value: 1e-4, wallMs: 5 }])
    expect(store.metrics.readSeries(run.id, 'unknown')).toEqual([])
    expect(store.metrics.listSeries(run.id).map((s) => [s.key, s.count, s.firstStep, s.lastStep])).toEqual([
      ['loss', 5, 0, 4],
      ['lr', 1, 0, 0],
    ])
  })

  it('is all or nothing: a bad point anywhere in the batch writes nothing', () => {
    const store = tempStore()
    const run = newRun(store)
    const bad: [string, MetricPoint][] = [
      ['negative step', { key: 'loss', step: -1, value: 1 }],
      ['fractional step', { key: 'loss', step: 1.5, value: 1 }],
      ['empty key', { key: '', step: 1, value: 1 }],
      ['string value', { key: 'loss', step: 1, value: '1' as unknown as number }],
    ]
    for (const [label, point] of bad) {
      expect(() => store.metrics.appendMetrics(run.id, [{ key: 'loss', step: 0, value: 1 }, point]), label).toThrow(
        StoreInputError,
      )
    }
    expect(store.metrics.readSeries(run.id, 'loss')).toEqual([])
    expect(store.metrics.appendMetrics(run.id, [])).toBe(0)
  })

  it('replaces points at an existing step (later wins) and keeps the summaries exact', () => {
    const store = tempStore()
    const run = newRun(store)
    const rng = Rng.fromSeed(3)
    const first = randomSeries(rng, 1000)
    append(store, run.id, 'loss', first, 300)
    // Rewrite a stretch in the middle, out of order, with a duplicate inside the batch.
    const rewrite = first.slice(400, 520).map((p, i) => ({ step: p.step, value: i % 7 === 0 ? -50 : 50 }))
    const batch = [...rewrite].reverse().map((p) => ({ key: 'loss', ...p }))
    batch.push({ key: 'loss', step: rewrite[0]?.step as number, value: 77 })
    store.metrics.appendMetrics(run.id, batch)
    const expected = new Map(first.map((p) => [p.step, p.value]))
    for (const p of rewrite) expected.set(p.step, p.value)
    expected.set(rewrite[0]?.step as number, 77)
    const truth = [...expected].map(([step, value]) => ({ step, value })).sort((a, b) => a.step - b.step)
    expect(store.metrics.readSeries(run.id, 'loss').map((p) => ({ step: p.step, value: p.value }))).toEqual(truth)
    checkBlocks(store, run.id, 'loss')
    const last = truth[truth.length - 1] as { step: number; value: number }
    expectSameBuckets(
      store.metrics.readDownsampled(run.id, 'loss', { buckets: 37, strategy: 'blocks' }),
      bruteForce(truth, truth[0]?.step as number, last.step, 37),
      'after rewrite',
    )
  })

  it('deleteMetricsAfter truncates every series of the run for a resume', () => {
    const store = tempStore()
    const run = newRun(store)
    const points = Array.from({ length: 500 }, (_, i) => ({ step: i * 2, value: Math.sin(i) }))
    append(store, run.id, 'loss', points, 128)
    append(store, run.id, 'lr', points, 500)
    expect(store.metrics.deleteMetricsAfter(run.id, 601)).toBe(2 * 199)
    for (const key of ['loss', 'lr']) {
      const kept = points.filter((p) => p.step <= 601)
      expect(store.metrics.readSeries(run.id, key).map((p) => p.step)).toEqual(kept.map((p) => p.step))
      checkBlocks(store, run.id, key)
      expect(store.metrics.lastMetrics(run.id)[key]).toEqual({ step: 600, value: Math.sin(300) })
      expectSameBuckets(
        store.metrics.readDownsampled(run.id, key, { buckets: 10, strategy: 'blocks' }),
        bruteForce(kept, 0, 600, 10),
        key,
      )
    }
    expect(store.runs.listRuns()[0]?.lastMetrics).toEqual(store.metrics.lastMetrics(run.id)) // the cached copy follows
    store.metrics.appendMetrics(run.id, [{ key: 'loss', step: 602, value: 1 }]) // resume appends again
    expect(store.metrics.lastMetrics(run.id).loss).toEqual({ step: 602, value: 1 })
    expect(store.runs.listRuns()[0]?.lastMetrics.loss).toEqual({ step: 602, value: 1 })
    expect(store.metrics.deleteMetricsAfter(run.id, -1)).toBe(302 + 301)
    expect(store.metrics.lastMetrics(run.id)).toEqual({})
    expect(store.runs.listRuns()[0]?.lastMetrics).toEqual({})
  })
})

describe('readDownsampled', () => {
  const rng = Rng.fromSeed(20260101)
  const points = randomSeries(rng, 30_000)
  const firstStep = points[0]?.step as number
  const lastStep = points[points.length - 1]?.step as number
  let store: LabStore
  let runId: string

  const setup = () => {
    store = tempStore()
    runId = newRun(store).id
    append(store, runId, 'loss', points, 5000)
    checkBlocks(store, runId, 'loss')
  }

  it('is exact (count, first, last, min, max, bounds) against brute force, both strategies, many ranges', () => {
    setup()
    const cases: [string, number | undefined, number | undefined, number][] = [
      ['whole series', undefined, undefined, 1000],
      ['one bucket', undefined, undefined, 1],
      ['two buckets', undefined, undefined, 2],
      ['block-aligned edges', 64 * 10, 64 * 200 - 1, 190],
      ['bounds on stored steps', points[1234]?.step, points[23456]?.step, 777],
      ['range before the data', 0, firstStep + 3, 5],
      ['range past the data', lastStep - 1000, lastStep + 10_000, 333],
      ['more buckets than steps', 1000, 1200, 1000],
      ['single step', points[500]?.step, points[500]?.step, 50],
      ['empty range', lastStep + 1, lastStep + 100, 10],
    ]
    for (let i = 0; i < 25; i++) {
      const a = Math.floor(rng.uniform() * (lastStep + 50))
      const b = a + Math.floor(rng.uniform() * (lastStep - a + 50))
      cases.push([`random ${i}`, a, b, 1 + Math.floor(rng.uniform() * 1500)])
    }
    for (const [label, fromStep, toStep, buckets] of cases) {
      const expected = bruteForce(points, fromStep ?? firstStep, toStep ?? lastStep, buckets)
      for (const strategy of ['blocks', 'raw', 'auto'] as const) {
        expectSameBuckets(
          store.metrics.readDownsampled(runId, 'loss', { fromStep, toStep, buckets, strategy }),
          expected,
          `${label} (${strategy})`,
        )
      }
    }
    expect(store.metrics.readDownsampled(runId, 'loss', { buckets: 10, fromStep: 100, toStep: 99 })).toEqual([])
  })

  it('loses no extreme: every spike shows in its bucket’s min or max', () => {
    const s = tempStore()
    const run = newRun(s)
    const series = Array.from({ length: 20_000 }, (_, step) => ({ step, value: 1 }))
    const spikes = [3, 64, 127, 4095, 4096, 12_345, 19_999]
    for (const [i, step] of spikes.entries()) (series[step] as { value: number }).value = i % 2 === 0 ? 1e6 : -1e6
    append(s, run.id, 'loss', series, 4000)
    const buckets = s.metrics.readDownsampled(run.id, 'loss', { buckets: 100, strategy: 'blocks' })
    const extremes = buckets.filter((b) => b.max === 1e6 || b.min === -1e6).length
    expect(extremes).toBe(new Set(spikes.map((st) => Math.floor((st * 100) / 20_000))).size)
    expect(buckets.reduce((a, b) => a + b.count, 0)).toBe(20_000)
  })

  it('refuses a bad bucket count or step bound', () => {
    const s = tempStore()
    const run = newRun(s)
    for (const buckets of [0, -1, 1.5, 1e9])
      expect(() => s.metrics.readDownsampled(run.id, 'loss', { buckets })).toThrow(StoreInputError)
    expect(() => s.metrics.readDownsampled(run.id, 'loss', { buckets: 5, fromStep: 0.5 })).toThrow(StoreInputError)
    expect(s.metrics.readDownsampled(run.id, 'loss', { buckets: 5 })).toEqual([])
  })
})
