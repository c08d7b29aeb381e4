import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MetricBucket, Run, SampleRecord } from '@shared/store/types'
import { CURVE_BUCKETS, CompareState } from '../../../src-renderer/lib/state/compare.svelte'
import { RunPickerState } from '../../../src-renderer/lib/state/run-picker.svelte'
import {
  bestByColumn,
  frechetCaveats,
  metricRows,
  sortRows,
  visibleColumns,
  METRIC_COLUMNS,
} from '../../../src-renderer/lib/compare-metric-table'
import { seriesCsv } from '../../../src-renderer/lib/compare-csv'
import { buckets, finalEval, sampleRecord } from './fixtures'
import { FakeFailure, fakeApi, makeRun } from '../fake-api'

function run(id: string, numScales: number): Run {
  return makeRun({ id, backend: 'cpu', config: { dataset: 'moons', algorithm: 'cd', numScales, lr: 0.001 } })
}

const lossBuckets: Record<string, MetricBucket[]> = {
  a: buckets([0, 100, 200, 300], (s) => 1 / (1 + s), 5000),
  b: buckets([0, 100, 200], (s) => 2 / (1 + s), 9000),
}
const samples: Record<string, SampleRecord[]> = {
  a: [sampleRecord('a', 1, 100, 1), sampleRecord('a', 2, 300, 1), sampleRecord('a', 3, 0, 0, 'data')],
  b: [sampleRecord('b', 4, 200, 1), sampleRecord('b', 5, 200, 2)],
}

function backend() {
  return fakeApi({
    'runs.get': ({ id }) => {
      if (id === 'missing') throw new FakeFailure({ code: 'NOT_FOUND', message: 'no run missing' })
      return run(id as string, id === 'a' ? 18 : 40)
    },
    'metrics.list': ({ runId }) => [
      { key: 'loss', count: 4, firstStep: 0, lastStep: 300, lastValue: 0 },
      { key: 'lr', count: 4, firstStep: 0, lastStep: 300, lastValue: 0 },
      ...(runId === 'b' ? [{ key: 'swd/nfe1', count: 1, firstStep: 100, lastStep: 100, lastValue: 0.2 }] : []),
    ],
    'metrics.downsampled': ({ runId, key, fromStep, toStep }) => {
      const all = key === 'loss' ? (lossBuckets[runId as string] ?? []) : buckets([100], () => 0.2)
      return all.filter(
        (b) =>
          (fromStep === undefined || b.lastStep >= (fromStep as number)) &&
          (toStep === undefined || b.lastStep <= (toStep as number)),
      )
    },
    'metrics.series': ({ runId, key, fromStep, toStep }) => {
      const all = (key === 'loss' ? (lossBuckets[runId as string] ?? []) : []).map((b) => ({
        step: b.lastStep,
        value: b.last,
        wallMs: b.lastWallMs,
      }))
      return all.filter(
        (p) =>
          (fromStep === undefined || p.step >= (fromStep as number)) &&
          (toStep === undefined || p.step <= (toStep as number)),
      )
    },
    'runs.evaluations': ({ id }) => finalEval(id as string, 300, id === 'a' ? [0.3, 0.2, 0.1] : [0.4, 0.1, 0.05]),
    'samples.list': ({ runId }) => samples[runId as string] ?? [],
    'samples.points': ({ id }) => ({ sample: sampleRecord('a', id as number, 0, 1), dim: 2, points: [0, 1, 2, 3] }),
    'samples.png': ({ id }) => ({ sampleId: id, mime: 'image/png', bytes: new Uint8Array([137, 80]) }),
    'runs.list': () =>
      [run('a', 18), run('b', 40), { ...run('c', 10), tags: ['sweep'] }].map((r) => ({ ...r, lastMetrics: {} })),
  })
}

afterEach(() => {
  vi.useRealTimers()
})

describe('CompareState', () => {
  it('loads runs, series, evaluations and samples, reporting a run that fails', async () => {
    const { api, calls } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b', 'missing'])
    expect(s.runIds).toEqual(['a', 'b'])
    expect(s.loadErrors).toEqual([{ id: 'missing', message: 'no run missing' }])
    expect(s.metricKeys).toEqual(['loss', 'lr', 'swd/nfe1'])
    expect(s.metric).toBe('loss')
    expect(s.series.map((x) => [x.runId, x.buckets.length, x.originMs])).toEqual([
      ['a', 4, 5000],
      ['b', 3, 9000],
    ])
    const down = calls.filter((c) => c.method === 'metrics.downsampled')
    expect(down.every((c) => c.payload?.buckets === CURVE_BUCKETS && c.payload?.fromStep === undefined)).toBe(true)
    expect(s.colors.a).not.toBe(s.colors.b)
    expect(s.differences).toEqual({ a: 'numScales=18', b: 'numScales=40' })
    expect(s.finals.a?.every((r) => r.step === 300)).toBe(true)
    expect(s.effectiveHparamField).toBe('numScales')
    expect(s.effectiveHparamMetric?.key).toBe('student/swd/1')
    s.dispose()
  })

  it('refetches exact buckets over the zoomed steps, and resets without a request', async () => {
    const { api, calls } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b'])
    calls.length = 0
    await s.zoomTo({ min: 50, max: 210.4 })
    const zoomCalls = calls.filter((c) => c.method === 'metrics.downsampled')
    expect(
      zoomCalls.map((c) => [c.payload?.runId, c.payload?.fromStep, c.payload?.toStep, c.payload?.buckets]),
    ).toEqual([
      ['a', 50, 211, CURVE_BUCKETS],
      ['b', 50, 211, CURVE_BUCKETS],
    ])
    expect(s.series.map((x) => x.buckets.map((b) => b.lastStep))).toEqual([
      [100, 200],
      [100, 200],
    ])
    expect(s.zoom).toEqual({ min: 50, max: 210.4 })
    calls.length = 0
    await s.zoomTo(null)
    expect(calls).toHaveLength(0)
    expect(s.series[0]?.buckets).toHaveLength(4)
    s.dispose()
  })

  it('switches metric (dropping the zoom) and only asks runs that logged it', async () => {
    const { api, calls } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b'])
    await s.zoomTo({ min: 0, max: 100 })
    calls.length = 0
    await s.setMetric('swd/nfe1')
    expect(s.zoom).toBeNull()
    expect(calls.filter((c) => c.method === 'metrics.downsampled').map((c) => c.payload?.runId)).toEqual(['b'])
    expect(s.series.map((x) => x.buckets.length)).toEqual([0, 1])
    s.dispose()
  })

  it('zooms in wall time through each run’s steps', async () => {
    const { api, calls } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b'])
    await s.setXAxis('wall')
    calls.length = 0
    // 100 ms per step: x in seconds; [9, 11] s covers step 100 of both runs, widened by a bucket
    await s.zoomTo({ min: 9, max: 11 })
    expect(calls.map((c) => [c.payload?.runId, c.payload?.fromStep, c.payload?.toStep])).toEqual([
      ['a', 0, 200],
      ['b', 0, 200],
    ])
    s.dispose()
  })

  it('moves the shared sample slider over the union of steps', async () => {
    const { api } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b'])
    expect(s.sampleStepStops).toEqual([100, 200, 300])
    expect(s.shownStep).toBe(300)
    expect(s.samplePanels.map((p) => p.sample?.id ?? null)).toEqual([2, 4])
    s.setSampleStopIndex(1)
    expect(s.shownStep).toBe(200)
    expect(s.samplePanels.map((p) => p.sample?.step ?? null)).toEqual([100, 200])
    expect(s.sampleStopIndex).toBe(1)
    s.setSampleStopIndex(0)
    expect(s.samplePanels.map((p) => p.sample?.id ?? null)).toEqual([1, null])
    expect(s.samplePanels[0]?.data?.id).toBe(3)
    s.setSampleNfe(2)
    s.setSampleStopIndex(99)
    expect(s.samplePanels.map((p) => p.sample?.id ?? null)).toEqual([null, 5])
    s.dispose()
  })

  it('fetches sample points or PNGs once each', async () => {
    const { api, calls } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b'])
    calls.length = 0
    await s.ensureSample(sampleRecord('a', 2, 300, 1))
    await s.ensureSample(sampleRecord('a', 2, 300, 1))
    await s.ensureSample(sampleRecord('a', 9, 300, 1, 'student', 'png'))
    expect(calls.map((c) => c.method)).toEqual(['samples.points', 'samples.png'])
    expect(s.samplePoints[2]?.points).toEqual([0, 1, 2, 3])
    expect(Array.from(s.samplePngs[9] ?? [])).toEqual([137, 80])
    s.dispose()
  })

  it('follows live runs: new samples, new series keys, and a throttled curve refresh', async () => {
    vi.useFakeTimers()
    const fake = backend()
    const { api, calls, emit } = fake
    const s = new CompareState(api, { refreshDelayMs: 100 })
    await s.load(['a', 'b'])
    emit({ type: 'sample', runId: 'a', sample: sampleRecord('a', 50, 400, 1) })
    emit({ type: 'sample', runId: 'zzz', sample: sampleRecord('zzz', 51, 400, 1) })
    expect(s.sampleStepStops).toEqual([100, 200, 300, 400])
    expect(s.shownStep).toBe(400)
    calls.length = 0
    lossBuckets.a = buckets([0, 100, 200, 300, 400], (x) => 1 / (1 + x), 5000)
    emit({
      type: 'metrics',
      runId: 'a',
      points: [
        { key: 'loss', step: 400, value: 0.1 },
        { key: 'swd/nfe2', step: 400, value: 0.1 },
      ],
    })
    emit({ type: 'metrics', runId: 'a', points: [{ key: 'loss', step: 401, value: 0.1 }] })
    expect(s.metricKeys).toContain('swd/nfe2')
    await vi.advanceTimersByTimeAsync(150)
    expect(calls.filter((c) => c.method === 'metrics.downsampled').map((c) => c.payload?.runId)).toEqual(['a'])
    expect(s.series[0]?.buckets).toHaveLength(5)
    s.dispose()
    expect(fake.listenerCount()).toBe(0)
    lossBuckets.a = buckets([0, 100, 200, 300], (x) => 1 / (1 + x), 5000)
  })

  it('reloads a run’s evaluations when it finishes', async () => {
    const { api, calls, emit } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b'])
    calls.length = 0
    const { config: _config, ...summary } = run('b', 40)
    emit({ type: 'run', run: { ...summary, status: 'finished', notes: 'done' } })
    await new Promise((r) => setTimeout(r, 0))
    expect(calls.map((c) => [c.method, c.payload?.id])).toEqual([['runs.evaluations', 'b']])
    expect(s.runs[1]?.notes).toBe('done')
    expect(s.runs[1]?.config).toEqual(run('b', 40).config)
    s.dispose()
  })

  it('exports every stored point of the metric as run,step,value', async () => {
    const { api, calls } = backend()
    const s = new CompareState(api)
    await s.load(['a', 'b'])
    calls.length = 0
    const csv = await s.exportCsv()
    expect(calls.every((c) => c.method === 'metrics.series' && c.payload?.fromStep === undefined)).toBe(true)
    const lines = csv.trim().split('\n')
    expect(lines[0]).toBe('run,step,value')
    expect(lines).toHaveLength(1 + 4 + 3)
    expect(lines[1]).toBe('a,0,1')
    expect(lines[5]).toBe('b,0,2')
  })
})

type EvaluationRecordOf = ReturnType<typeof finalEval>[number]

describe('metrics table and CSV helpers', () => {
  const evaluations = { a: finalEval('a', 300, [0.3, 0.2, 0.1]), b: finalEval('b', 300, [0.4, 0.1, 0.05]), c: [] }
  const col = (key: string) => METRIC_COLUMNS.findIndex((c) => c.key === key)

  it('reads the final values per column and highlights the lowest', () => {
    const rows = metricRows(['a', 'b', 'c'], evaluations)
    expect(rows[0]?.values[col('swd1')]).toBe(0.3)
    expect(rows[0]?.values[col('teacherSwd')]).toBe(0.05)
    expect(rows[0]?.values[col('floorSwd')]).toBe(0.02)
    expect(rows[2]?.values.every((v) => v === null)).toBe(true)
    expect(rows[2]?.step).toBeNull()
    const best = bestByColumn(rows)
    expect([...(best[col('swd1')] ?? [])]).toEqual(['a'])
    expect([...(best[col('swd2')] ?? [])]).toEqual(['b'])
    // ties are all best; references are not ranked
    expect([...(best[col('agreement')] ?? [])]).toEqual(['a', 'b'])
    expect(best[col('teacherSwd')]?.size).toBe(0)
  })

  it('shows the Fréchet columns only when a compared run (an image run) has them', () => {
    const twoD = metricRows(['a', 'b'], evaluations)
    const shown = visibleColumns(twoD).map((c) => METRIC_COLUMNS[c]?.key)
    expect(shown).not.toContain('fd1')
    expect(shown).toContain('swd1')
    const image = [
      ...finalEval('img', 300, [0.3, 0.2, 0.1]),
      { ...(finalEval('img', 300, [1])[0] as EvaluationRecordOf), model: 'student', metric: 'fd', nfe: 1, value: 12.5 },
    ]
    const rows = metricRows(['a', 'img'], { a: evaluations.a, img: image })
    const withImage = visibleColumns(rows).map((c) => METRIC_COLUMNS[c]?.key)
    // Each optional column on its own: this run has a one-step Fréchet distance only.
    expect(withImage).toContain('fd1')
    expect(withImage).not.toContain('fd2')
    expect(rows[1]?.values[col('fd1')]).toBe(12.5)
    expect(rows[0]?.values[col('fd1')]).toBeNull()
    // The only run with a value is not highlighted as best (nothing to beat).
    expect(bestByColumn(rows)[col('fd1')]?.size).toBe(0)
  })

  it('flags the Fréchet figures of a run evaluated on fewer than 2000 samples, and no other run', () => {
    const fd = {
      ...(finalEval('img', 300, [1])[0] as EvaluationRecordOf),
      model: 'student',
      metric: 'fd',
      nfe: 1,
      value: 12.5,
    }
    const rows = metricRows(['a', 'few', 'many'], { a: evaluations.a, few: [fd], many: [fd] })
    const runs = [
      makeRun({ id: 'a', config: { evalSamples: 16 } }),
      makeRun({ id: 'few', config: { evalSamples: 512 } }),
      makeRun({ id: 'many', config: { evalSamples: 4000 } }),
    ]
    // `a` has few samples too, but no Fréchet figure to qualify.
    expect(frechetCaveats(rows, runs)).toEqual([
      {
        runId: 'few',
        caveat: expect.stringMatching(/^from 512 samples: below 2000 the Fréchet distance is biased upward/),
      },
    ])
  })

  it('sorts by a column with missing values last', () => {
    const rows = metricRows(['c', 'a', 'b'], evaluations)
    expect(sortRows(rows, col('swd2'), 'asc').map((r) => r.runId)).toEqual(['b', 'a', 'c'])
    expect(sortRows(rows, col('swd2'), 'desc').map((r) => r.runId)).toEqual(['a', 'b', 'c'])
    expect(sortRows(rows, null, 'asc').map((r) => r.runId)).toEqual(['c', 'a', 'b'])
  })

  it('writes NaN values and quotes odd run ids', () => {
    expect(seriesCsv([{ runId: 'a,b', points: [{ step: 1, value: Number.NaN, wallMs: 0 }] }])).toBe(
      'run,step,value\n"a,b",1,NaN\n',
    )
  })
})

describe('RunPickerState', () => {
  it('lists runs, filters by text and keeps the selection in list order', async () => {
    const { api, calls } = backend()
    const p = new RunPickerState(api)
    await p.load(['b'])
    expect(calls[0]?.payload).toEqual({ limit: 10_000, withConfig: true })
    expect(p.runs.map((r) => r.id)).toEqual(['a', 'b', 'c'])
    p.filter = 'sweep'
    expect(p.visible.map((r) => r.id)).toEqual(['c'])
    p.toggle('a')
    p.toggle('c')
    p.toggle('c')
    expect(p.selection).toEqual(['a', 'b'])
  })
})
