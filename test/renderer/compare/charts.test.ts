import { describe, expect, it } from 'vitest'
import { LIGHT_THEME, withAlpha } from '../../../src-renderer/lib/charts/theme'
import {
  buildOverlayConfig,
  stepRangeForZoom,
  wallUnit,
  wallUnitFor,
  type CurveSeries,
  type OverlayOptions,
} from '../../../src-renderer/lib/charts/overlay-curves'
import { buildNfeConfig, evalValue, finalEvaluations, pointsAtNfe } from '../../../src-renderer/lib/charts/nfe-curves'
import { buildHparamConfig, configNumber, metricChoices } from '../../../src-renderer/lib/charts/hparam-scatter'
import { buckets, evalRecord, finalEval } from './fixtures'

const base: OverlayOptions = {
  metric: 'loss',
  smoothing: 0.6,
  logX: false,
  logY: false,
  xAxis: 'step',
  envelope: false,
  theme: LIGHT_THEME,
}
const twoRuns: CurveSeries[] = [
  { runId: 'a', color: '#4e79a7', buckets: buckets([0, 10, 20, 30], (s) => 10 - s / 10), originMs: 1_000_000 },
  { runId: 'b', color: '#f28e2b', buckets: buckets([0, 10, 20], (s) => 5 + (s % 20)), originMs: 1_000_000 },
]

describe('overlay curves', () => {
  it('draws a faint raw curve behind a solid smoothed one per run, unparsed', () => {
    const cfg = buildOverlayConfig(twoRuns, base)
    expect(cfg.options?.parsing).toBe(false)
    expect(cfg.options?.animation).toBe(false)
    const ds = cfg.data.datasets
    expect(ds.map((d) => d.label)).toEqual(['a (raw)', 'a', 'b (raw)', 'b'])
    expect(ds[0]?.borderColor).toBe(withAlpha('#4e79a7', 0.25))
    expect(ds[1]?.borderColor).toBe('#4e79a7')
    expect(ds[0]?.data.map((p) => p.y)).toEqual([10, 9, 8, 7])
    // smoothed lags the falling raw curve but starts on it (debiased)
    expect(ds[1]?.data[0]?.y).toBeCloseTo(10, 12)
    expect(ds[1]?.data[3]?.y).toBeGreaterThan(7)
    expect(ds[1]?.data.map((p) => p.x)).toEqual([0, 10, 20, 30])
  })

  it('draws only the raw curve, solid, without smoothing', () => {
    const ds = buildOverlayConfig(twoRuns, { ...base, smoothing: 0 }).data.datasets
    expect(ds.map((d) => d.label)).toEqual(['a', 'b'])
    expect(ds[0]?.data.map((p) => p.y)).toEqual([10, 9, 8, 7])
  })

  it('adds the min/max envelope filled between its bounds', () => {
    const ds = buildOverlayConfig(twoRuns.slice(0, 1), { ...base, envelope: true }).data.datasets
    expect(ds.map((d) => d.label)).toEqual(['a (max)', 'a (min)', 'a (raw)', 'a'])
    expect(ds[0]?.data[0]?.y).toBe(10.5)
    expect(ds[1]?.data[0]?.y).toBe(9.5)
    expect(ds[1]?.fill).toBe('-1')
  })

  it('switches axis types for log scales, dropping x = 0 and non-positive y', () => {
    const series: CurveSeries[] = [
      { runId: 'a', color: '#4e79a7', buckets: buckets([0, 1, 2], (s) => s - 1), originMs: 0 },
    ]
    const cfg = buildOverlayConfig(series, { ...base, smoothing: 0, logX: true, logY: true })
    const scales = cfg.options?.scales as Record<string, { type: string }>
    expect(scales.x?.type).toBe('logarithmic')
    expect(scales.y?.type).toBe('logarithmic')
    const pts = cfg.data.datasets[0]?.data ?? []
    expect(pts.map((p) => p.x)).toEqual([1, 2])
    expect(Number.isNaN(pts[0]?.y)).toBe(true)
    expect(pts[1]?.y).toBe(1)
    const lin = buildOverlayConfig(series, base).options?.scales as Record<string, { type: string }>
    expect(lin.x?.type).toBe('linear')
  })

  it('puts relative wall time on x in a unit fitting the longest run', () => {
    // 100 ms per step: step 30 is 3 s after the origin
    const cfg = buildOverlayConfig(twoRuns, { ...base, smoothing: 0, xAxis: 'wall' })
    expect(cfg.data.datasets[0]?.data.map((p) => p.x)).toEqual([0, 1, 2, 3])
    const x = (cfg.options?.scales as Record<string, { title: { text: string } }>).x
    expect(x?.title.text).toMatch(/wall time \(s/)
    const long: CurveSeries[] = [
      { runId: 'a', color: '#000000', buckets: buckets([0, 600], () => 1, 0, 1000), originMs: 0 },
    ]
    expect(wallUnitFor(long)).toEqual({ unit: 'min', seconds: 60 })
    expect(
      buildOverlayConfig(long, { ...base, smoothing: 0, xAxis: 'wall' }).data.datasets[0]?.data.map((p) => p.x),
    ).toEqual([0, 10])
    expect(wallUnit(3 * 3600).unit).toBe('h')
  })

  it('measures wall time from the run origin, else from the first bucket', () => {
    const s: CurveSeries = {
      runId: 'a',
      color: '#000000',
      buckets: buckets([10, 20], () => 1, 5000, 100),
      originMs: null,
    }
    expect(
      buildOverlayConfig([s], { ...base, smoothing: 0, xAxis: 'wall' }).data.datasets[0]?.data.map((p) => p.x),
    ).toEqual([0, 1])
  })

  it('keeps a zoomed range on the x axis', () => {
    const x = (
      buildOverlayConfig(twoRuns, { ...base, xRange: { min: 5, max: 15 } }).options?.scales as Record<
        string,
        { min?: number; max?: number }
      >
    ).x
    expect([x?.min, x?.max]).toEqual([5, 15])
  })

  it('maps a zoomed x range back to steps', () => {
    const s = twoRuns[0] as CurveSeries
    expect(stepRangeForZoom(s, { min: 4.2, max: 17.8 }, 'step', wallUnit(1))).toEqual({ fromStep: 4, toStep: 18 })
    expect(stepRangeForZoom(s, { min: -3, max: 2 }, 'step', wallUnit(1))).toEqual({ fromStep: 0, toStep: 2 })
    // wall: x = 0,1,2,3 s; [0.5, 2.5] covers steps 10 and 20, widened to 0..30
    expect(stepRangeForZoom(s, { min: 0.5, max: 2.5 }, 'wall', wallUnit(1))).toEqual({ fromStep: 0, toStep: 30 })
    expect(stepRangeForZoom(s, { min: 50, max: 60 }, 'wall', wallUnit(1))).toBeNull()
  })
})

describe('quality-vs-NFE curves', () => {
  const earlier = [evalRecord('a', 100, 'student', 'swd', 1, 9)]
  const runs = [
    { runId: 'a', color: '#4e79a7', evaluations: [...earlier, ...finalEval('a', 3000, [0.3, 0.2, 0.15])] },
    { runId: 'b', color: '#f28e2b', evaluations: finalEval('b', 3000, [0.5, 0.25, 0.12]) },
  ]

  it('uses the last evaluated step only', () => {
    const final = finalEvaluations(runs[0]?.evaluations ?? [])
    expect(new Set(final.map((r) => r.step))).toEqual(new Set([3000]))
    expect(evalValue(final, 'swd', 'student', 1)).toBe(0.3)
    expect(evalValue(final, 'swd', 'teacher')).toBe(0.05)
    expect(evalValue(final, 'mmd', 'student', 1)).toBeNull()
    expect(finalEvaluations([])).toEqual([])
  })

  it('draws each run’s student points in NFE order, one dashed teacher curve and the floor', () => {
    const cfg = buildNfeConfig(runs, { metric: 'swd', logY: false, theme: LIGHT_THEME })
    const ds = cfg.data.datasets
    expect(ds.map((d) => d.label)).toEqual(['a', 'b', 'teacher', 'data floor'])
    expect(ds[0]?.data).toEqual([
      { x: 1, y: 0.3 },
      { x: 2, y: 0.2 },
      { x: 4, y: 0.15 },
    ])
    expect(ds[0]?.borderDash).toBeUndefined()
    expect(ds[2]?.borderDash).toEqual([6, 4])
    expect(ds[2]?.data.map((p) => p.x)).toEqual([2, 20, 200])
    expect(ds[3]?.data.map((p) => p.y)).toEqual([0.02, 0.02])
    const x = (cfg.options?.scales as Record<string, { type: string; max: number }>).x
    expect(x?.type).toBe('logarithmic')
    expect(x?.max).toBe(200)
  })

  it('draws one teacher curve per distinct teacher when runs disagree', () => {
    const other = [
      runs[0],
      { runId: 'c', color: '#e15759', evaluations: finalEval('c', 10, [0.4, 0.3, 0.2], [0.8, 0.2, 0.07]) },
    ] as typeof runs
    const labels = buildNfeConfig(other, { metric: 'swd', logY: true, theme: LIGHT_THEME }).data.datasets.map(
      (d) => d.label,
    )
    expect(labels).toEqual(['a', 'c', 'teacher (a)', 'teacher (c)', 'data floor'])
  })

  it('switches the quality metric', () => {
    const ds = buildNfeConfig(runs, { metric: 'energy', logY: false, theme: LIGHT_THEME }).data.datasets
    expect(ds[0]?.data.map((p) => p.y)).toEqual([0.6, 0.4, 0.3])
    expect(pointsAtNfe(finalEvaluations(runs[0]?.evaluations ?? []), 'student', 'mmd')).toEqual([])
  })

  it("draws agreement against NFE, leaving the teacher's zero at K = 100 off a log axis", () => {
    const withAgreement = [
      {
        ...runs[0],
        evaluations: [
          ...(runs[0]?.evaluations ?? []),
          evalRecord('a', 3000, 'student', 'agreement', 2, 0.2),
          evalRecord('a', 3000, 'teacher', 'agreement', 2, 0.5),
          evalRecord('a', 3000, 'teacher', 'agreement', 200, 0),
        ],
      },
    ] as typeof runs
    const linear = buildNfeConfig(withAgreement, { metric: 'agreement', logY: false, theme: LIGHT_THEME }).data.datasets
    expect(linear.map((d) => d.label)).toEqual(['a', 'teacher'])
    expect(linear[1]?.data).toEqual([
      { x: 2, y: 0.5 },
      { x: 200, y: 0 },
    ])
    const log = buildNfeConfig(withAgreement, { metric: 'agreement', logY: true, theme: LIGHT_THEME }).data.datasets
    expect(log[0]?.data.map((p) => p.y)).toEqual([0.3, 0.2])
    expect(log[1]?.data).toEqual([{ x: 2, y: 0.5 }])
  })
})

describe('hyperparameter scatter', () => {
  it('puts one point per run at (config field, final metric), skipping what cannot be placed', () => {
    const cfg = buildHparamConfig(
      [
        { runId: 'a', color: '#111111', x: 18, y: 0.3 },
        { runId: 'b', color: '#222222', x: 40, y: 0.2 },
        { runId: 'c', color: '#333333', x: null, y: 0.1 },
        { runId: 'd', color: '#444444', x: 0, y: 0.1 },
      ],
      { xField: 'numScales', yLabel: 'SWD', logX: true, logY: false, theme: LIGHT_THEME },
    )
    expect(cfg.data.datasets.map((d) => [d.label, d.data, d.backgroundColor])).toEqual([
      ['a', [{ x: 18, y: 0.3 }], '#111111'],
      ['b', [{ x: 40, y: 0.2 }], '#222222'],
    ])
    expect((cfg.options?.scales as Record<string, { type: string }>).x?.type).toBe('logarithmic')
  })

  it('reads numeric config fields and lists metric choices, students first', () => {
    expect(configNumber({ lr: 0.001, name: 'x' }, 'lr')).toBe(0.001)
    expect(configNumber({ lr: 0.001, name: 'x' }, 'name')).toBeNull()
    expect(configNumber(null, 'lr')).toBeNull()
    const choices = metricChoices([finalEval('a', 1, [0.3, 0.2, 0.1])])
    expect(choices[0]?.key).toBe('student/swd/1')
    expect(choices.some((c) => c.key === 'teacher/swd/200')).toBe(true)
    expect(choices.find((c) => c.key === 'data/swd/0')?.label).toBe('SWD: data floor')
  })
})
