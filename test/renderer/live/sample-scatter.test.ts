import { describe, expect, it } from 'vitest'
import type { SampleRecord } from '@shared/store/types'
import {
  buildScatterConfig,
  offChart,
  offChartCount,
  scatterBox,
  selectSamples,
  toXY,
} from '../../../src-renderer/lib/charts/sample-scatter'

type XYP = { x: number; y: number }

let nextId = 1
const sample = (model: string, nfe: number, step: number, kind = 'points2d'): SampleRecord => ({
  id: nextId++,
  runId: 'r',
  step,
  nfe,
  kind,
  model,
  path: null,
  hasBlob: true,
  bytes: 8,
  role: 'preview',
  noiseSeed: 7,
  createdAt: 0,
})

describe('sample scatter', () => {
  it('reads interleaved coordinates, first two dims of each point', () => {
    expect(toXY([1, 2, 3, 4])).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ])
    expect(toXY([1, 2, 9, 3, 4, 9], 3)).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ])
    expect(toXY(new Float32Array([0.5, -0.5]))).toEqual([{ x: 0.5, y: -0.5 }])
  })

  it('#19 keeps the range on the data when a student diverges, and marks its points on the edge', () => {
    const data = [
      { x: -1, y: 0 },
      { x: 1, y: 0.5 },
    ]
    // A diverged student: every point far outside the data.
    const wild = Array.from({ length: 312 }, (_, i) => ({ x: 900 + i, y: -1200 + i }))
    const options = {
      layers: [
        { role: 'data' as const, label: 'data', points: data },
        { role: 'nfe1' as const, label: 'student', points: wild },
      ],
    }
    const config = buildScatterConfig(options)
    const x = config.options?.scales?.x as { min: number; max: number }
    const y = config.options?.scales?.y as { min: number; max: number }
    // At most 1.5 times the data's half-span around its centre, plus the margin: nowhere near ±1000.
    expect(x.max - x.min).toBeLessThan(8)
    expect(x.max - x.min).toBeCloseTo(y.max - y.min, 9)
    expect(x.min).toBeLessThanOrEqual(-1)
    expect(x.max).toBeGreaterThanOrEqual(1)
    expect(config.options?.parsing).toBe(false)
    expect(config.options?.animation).toBe(false)
    const datasets = config.data.datasets as unknown as Array<{ label: string; order: number; data: XYP[] }>
    expect(datasets.map((d) => d.label)).toEqual(['data', 'student', 'student (off the chart)'])
    expect(datasets[1]?.data).toHaveLength(0)
    const edge = datasets[2]?.data ?? []
    expect(edge).toHaveLength(312)
    for (const p of edge) {
      expect(p.x).toBe(x.max)
      expect(p.y).toBe(y.min)
    }
    expect(offChartCount(options)).toBe(312)
    // "Fit every point" shows the whole cloud.
    const fit = buildScatterConfig({ ...options, range: 'fit' })
    expect((fit.options?.scales?.x as { max: number }).max).toBeGreaterThan(1211)
    expect(offChartCount({ ...options, range: 'fit' })).toBe(0)
  })

  it('#19 lets a good student widen the range past the data, within limits', () => {
    const data = [
      { x: -1, y: -1 },
      { x: 1, y: 1 },
    ]
    const spread = Array.from({ length: 100 }, (_, i) => ({ x: -1.5 + (3 * i) / 99, y: 0 }))
    const box = scatterBox({
      layers: [
        { role: 'data', label: 'data', points: data },
        { role: 'nfe1', label: 'student', points: spread },
      ],
    })
    expect(box.minX).toBeLessThan(-1.4)
    expect(box.maxX).toBeGreaterThan(1.4)
  })

  it('#19 draws the data underneath, the teacher over it and the student on top; hidden series are off', () => {
    const pts = [{ x: 0, y: 0 }]
    const layers = (['data', 'teacher', 'nfe1', 'nfe2'] as const).map((role) => ({ role, label: role, points: pts }))
    const config = buildScatterConfig({ layers, hidden: ['teacher'] })
    const ds = config.data.datasets as unknown as Array<{ label: string; order: number; hidden: boolean }>
    const order = (label: string) => ds.find((d) => d.label === label)?.order as number
    // chart.js draws the highest order first.
    expect(order('data')).toBeGreaterThan(order('teacher'))
    expect(order('teacher')).toBeGreaterThan(order('nfe2'))
    expect(order('nfe2')).toBeGreaterThan(order('nfe1'))
    expect(ds.find((d) => d.label === 'teacher')?.hidden).toBe(true)
    expect(ds.find((d) => d.label === 'nfe1')?.hidden).toBe(false)
  })

  it('#19 a poorly trained teacher beside the data widens the range only as far as a run may', () => {
    const data = [
      { x: -1, y: -1 },
      { x: 1, y: 1 },
    ]
    const teacher = Array.from({ length: 200 }, (_, i) => ({ x: -600 + 6 * i, y: 600 - 6 * i }))
    const layers = [
      { role: 'data' as const, label: 'data', points: data },
      { role: 'teacher' as const, label: 'teacher', points: teacher },
    ]
    const box = scatterBox({ layers })
    expect(box.maxX - box.minX).toBeLessThan(4)
    expect(offChart({ layers }, box).off).toBeGreaterThan(150)
    // Without data, the teacher is the reference.
    const alone = scatterBox({ layers: [layers[1]!] })
    expect(alone.maxX - alone.minX).toBeGreaterThan(1000)
  })

  it('falls back to a default range with no finite points', () => {
    expect(scatterBox({ layers: [] })).toEqual({ minX: -2, maxX: 2, minY: -2, maxY: 2 })
    expect(scatterBox({ layers: [{ role: 'nfe1', label: 's', points: [{ x: Number.NaN, y: 1 }] }] })).toEqual({
      minX: -2,
      maxX: 2,
      minY: -2,
      maxY: 2,
    })
  })

  it('shows the newest 1-step sample, the 2-step one of the same step, the teacher at 100 steps and the data', () => {
    const data = sample('data', 0, 0)
    const teacher10 = sample('teacher', 10, 0)
    const teacher100 = sample('teacher', 100, 0)
    sample('student', 1, 250)
    sample('student', 2, 250)
    const s1 = sample('student', 1, 500)
    const s2 = sample('student', 2, 500)
    const png = sample('student', 1, 750, 'png')
    const all = [data, teacher10, teacher100, s1, s2, png, sample('student', 1, 250), sample('student', 2, 250)]
    const sel = selectSamples(all)
    expect(sel.data?.id).toBe(data.id)
    expect(sel.teacher?.id).toBe(teacher100.id)
    expect(sel.nfe1?.id).toBe(s1.id)
    expect(sel.nfe2?.id).toBe(s2.id)
    expect(sel.step).toBe(500)
  })

  it('never pairs a 1-step sample with a newer 2-step one', () => {
    const s1 = sample('student', 1, 250)
    const s2old = sample('student', 2, 250)
    const s2new = sample('student', 2, 500)
    const sel = selectSamples([s1, s2new, s2old])
    expect(sel.nfe2?.id).toBe(s2old.id)
    expect(selectSamples([]).step).toBeNull()
  })

  it("shows a teacher run's newest teacher preview, at its step", () => {
    const data = sample('data', 0, 0)
    const early = sample('teacher', 20, 0)
    const late = sample('teacher', 20, 500)
    const sel = selectSamples([data, late, early])
    expect(sel.teacher?.id).toBe(late.id)
    expect(sel.nfe1).toBeNull()
    expect(sel.step).toBe(500)
  })
})
