import { describe, expect, it } from 'vitest'
import type { MetricBucket, Run } from '@shared/store/types'
import { runColour } from '@shared/run-colour'
import { CompareState } from '../../../src-renderer/lib/state/compare.svelte'
import { buildOverlayConfig } from '../../../src-renderer/lib/charts/overlay-curves'
import { ignoreOutliers } from '../../../src-renderer/lib/charts/ignore-outliers'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
import { buckets, finalEval } from './fixtures'
import { fakeApi, makeRun } from '../fake-api'

function run(id: string): Run {
  return makeRun({ id, backend: 'cpu', config: { dataset: 'moons', algorithm: 'cd', numScales: 18, lr: 0.001 } })
}

const steps = Array.from({ length: 21 }, (_, i) => i * 100)
/** Two good runs falling from 0.5 and one that blew up to ~1848 in its last steps (the tutorial run of the issue). */
const loss: Record<string, MetricBucket[]> = {
  good1: buckets(steps, (s) => 0.5 / (1 + s / 100)),
  good2: buckets(steps, (s) => 0.4 / (1 + s / 100)),
  bad: buckets(steps, (s) => (s >= 1900 ? 1848 : 0.6 / (1 + s / 100))),
}
/** A metric whose values stay within one decade. */
const flat: Record<string, MetricBucket[]> = {
  good1: buckets(steps, () => 0.3),
  good2: buckets(steps, () => 0.4),
  bad: buckets(steps, () => 0.9),
}

function backend() {
  return fakeApi({
    'runs.get': ({ id }) => run(id as string),
    'metrics.list': () => [
      { key: 'loss', count: 21, firstStep: 0, lastStep: 2000, lastValue: 0 },
      { key: 'lr', count: 21, firstStep: 0, lastStep: 2000, lastValue: 0 },
    ],
    'metrics.downsampled': ({ runId, key }) => (key === 'loss' ? loss : flat)[runId as string] ?? [],
    'metrics.series': () => [],
    'runs.evaluations': ({ id }) => finalEval(id as string, 2000, id === 'bad' ? [790, 500, 300] : [0.03, 0.02, 0.015]),
    'samples.list': () => [],
    'runs.list': () => ['good1', 'good2', 'bad'].map((id) => ({ ...run(id), lastMetrics: {} })),
  })
}

describe('#19 Compare: runs you can tell apart, charts that survive a bad run', () => {
  it('item 8: each run keeps the colour of its id, in any order and in every panel', async () => {
    const a = new CompareState(backend().api)
    await a.load(['good1', 'good2', 'bad'])
    const b = new CompareState(backend().api)
    await b.load(['bad', 'good1'])
    expect(a.colors.bad).toBe(b.colors.bad)
    expect(a.colors.good1).toBe(b.colors.good1)
    expect(new Set(Object.values(a.colors)).size).toBe(3)
    // The curves and the sample panels use the same colour as the legend.
    for (const s of a.series) expect(s.color).toBe(a.colors[s.runId])
    const alone = new CompareState(backend().api)
    await alone.load(['bad'])
    expect(alone.colors.bad).toBe(runColour('bad'))
    a.dispose()
    b.dispose()
    alone.dispose()
  })

  it('item 3: a metric spanning decades starts on log y; one that does not, on linear; the user choice wins', async () => {
    const s = new CompareState(backend().api)
    await s.load(['good1', 'good2', 'bad'])
    expect(s.metric).toBe('loss')
    expect(s.logY).toBe(true)
    // Quality vs NFE: student SWD 0.015 .. 790 spans decades too.
    expect(s.nfeLogY).toBe(true)
    s.logY = false
    expect(s.logY).toBe(false)
    await s.setMetric('lr')
    expect(s.logY).toBe(false)
    s.logY = true
    expect(s.logY).toBe(true)
    await s.setMetric('loss')
    expect(s.logY).toBe(true)
    s.nfeLogY = false
    expect(s.nfeLogY).toBe(false)
    s.dispose()
  })

  it('item 3: "ignore outliers" clips y to the good runs, where the full range is set by the blown-up one', async () => {
    const s = new CompareState(backend().api)
    await s.load(['good1', 'good2', 'bad'])
    const opts = {
      metric: 'loss',
      smoothing: 0,
      logX: false,
      logY: false,
      xAxis: 'step' as const,
      envelope: false,
      theme: LIGHT_THEME,
    }
    const full = buildOverlayConfig(s.series, opts)
    const clipped = ignoreOutliers(full)
    const y = clipped.options?.scales?.y as { min: number; max: number }
    const biggest = Math.max(...loss.bad!.map((b) => b.last))
    expect(biggest).toBeGreaterThan(1000)
    // The good runs' whole range (0.02 .. 0.6) fits; the blown-up steps are above it.
    expect(y.max).toBeLessThan(1)
    expect(y.max).toBeGreaterThan(0.5)
    expect(y.min).toBeLessThan(0.03)
    // The unclipped config has no fixed range (chart.js fits all values).
    expect((full.options?.scales?.y as { max?: number }).max).toBeUndefined()
    // On a log axis the range stays positive.
    const logClipped = ignoreOutliers(buildOverlayConfig(s.series, { ...opts, logY: true }))
    expect((logClipped.options?.scales?.y as { min: number }).min).toBeGreaterThan(0)
    s.dispose()
  })
})
