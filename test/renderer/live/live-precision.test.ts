/**
 * #17 Live view: the preview precision series (`prec/nfe1`, `prec/nfe2`; a teacher run's `prec/nfe20`) are
 * loaded and streamed beside the SWD ones and drawn as their own curve; the final evaluation table lists the
 * support metrics.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import type { EvaluationRecord, MetricBucket } from '@shared/store/types'
import { LiveRunState } from '../../../src-renderer/lib/state/live-run.svelte'
import { TABLE_METRICS, evaluationRows } from '../../../src-renderer/lib/evaluation-table'
import { livePrecisionConfig } from '../../../src-renderer/lib/charts/live-precision'
import { EMPTY_CURVE } from '../../../src-renderer/lib/charts/loss-curve'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
import { fakeApi, makeRun } from '../fake-api'

const bucket = (step: number, value: number): MetricBucket => ({
  index: 0,
  start: step,
  end: step,
  count: 1,
  firstStep: step,
  lastStep: step,
  first: value,
  last: value,
  lastWallMs: 1000,
  min: value,
  max: value,
})

let live: LiveRunState | null = null
afterEach(() => live?.dispose())

describe('#17 live precision', () => {
  it('#17 loads prec/nfe1 from the history, appends streamed points and charts them', async () => {
    const api = fakeApi({
      'runs.get': () => makeRun({ status: 'running', finishedAt: null, config: { ...DISTILL_DEFAULTS, steps: 3000 } }),
      'metrics.downsampled': (p) => ((p as { key: string }).key === 'prec/nfe1' ? [bucket(100, 0.6)] : []),
      'samples.list': () => [],
      'runs.evaluations': () => [] as EvaluationRecord[],
    })
    const state = new LiveRunState(api, 'r1', { flushMs: 5, now: () => 99_000 })
    live = state
    await state.load()
    expect(api.callsOf('metrics.downsampled')).toContainEqual({ runId: 'r1', key: 'prec/nfe1', buckets: 1000 })
    expect(state.quality['prec/nfe1'].line).toEqual([{ x: 100, y: 0.6 }])
    api.emit({
      type: 'metrics',
      runId: 'r1',
      points: [
        { key: 'swd/nfe1', step: 200, value: 0.3 },
        { key: 'prec/nfe1', step: 200, value: 0.7 },
        { key: 'prec/nfe2', step: 200, value: 0.8 },
      ],
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(state.quality['prec/nfe1'].line).toEqual([
      { x: 100, y: 0.6 },
      { x: 200, y: 0.7 },
    ])
    expect(state.quality['swd/nfe1'].line).toEqual([{ x: 200, y: 0.3 }])
    const config = livePrecisionConfig(state.quality, 'distill', LIGHT_THEME)
    const lines = (config?.data.datasets ?? []).filter((d) => !String(d.label).includes('('))
    expect(lines.map((d) => d.label)).toEqual(['precision, 1 step', 'precision, 2 steps'])
    expect(lines[1]?.data).toEqual([{ x: 200, y: 0.8 }])
  })

  it('#17 draws no precision chart for runs without the series (images, older runs)', () => {
    const empty = { 'prec/nfe1': EMPTY_CURVE, 'prec/nfe2': EMPTY_CURVE, 'prec/nfe20': EMPTY_CURVE }
    expect(livePrecisionConfig(empty, 'distill', LIGHT_THEME)).toBeNull()
    expect(livePrecisionConfig(empty, 'teacher', LIGHT_THEME)).toBeNull()
  })

  it('#17 the final evaluation table has precision, recall, density, coverage and off-support', () => {
    expect(TABLE_METRICS).toEqual(expect.arrayContaining(['precision', 'recall', 'density', 'coverage', 'offSupport']))
    const records: EvaluationRecord[] = [
      { id: 1, runId: 'r1', step: 3000, metric: 'precision', model: 'student', nfe: 1, value: 0.73, createdAt: 0 },
      { id: 2, runId: 'r1', step: 3000, metric: 'precision', model: 'data', nfe: 0, value: 0.997, createdAt: 0 },
    ]
    const rows = evaluationRows(records)
    expect(rows.find((r) => r.model === 'student')?.values.precision).toBe(0.73)
    expect(rows.find((r) => r.model === 'data')?.values.precision).toBe(0.997)
  })
})
