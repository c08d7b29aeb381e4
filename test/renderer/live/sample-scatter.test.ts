import { describe, expect, it } from 'vitest'
import type { SampleRecord } from '@shared/store/types'
import { buildScatterConfig, selectSamples, squareBounds, toXY } from '../../../src-renderer/lib/charts/sample-scatter'

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

  it('fixes square axes around the data layer, not around wild samples', () => {
    const data = [
      { x: -1, y: 0 },
      { x: 1, y: 0.5 },
    ]
    const wild = [{ x: 100, y: -100 }]
    const tight = squareBounds(data, 0)
    expect(tight.min).toBeCloseTo(-1, 2)
    expect(tight.max).toBeCloseTo(1, 2)
    const config = buildScatterConfig({
      layers: [
        { role: 'data', label: 'data', points: data },
        { role: 'nfe1', label: 'student', points: wild },
      ],
    })
    const x = config.options?.scales?.x as { min: number; max: number }
    const y = config.options?.scales?.y as { min: number; max: number }
    expect(x.min).toBeCloseTo(-1.3)
    expect(x.max).toBeCloseTo(1.3)
    expect(y).toMatchObject({ min: x.min, max: x.max })
    expect(config.options?.parsing).toBe(false)
    expect(config.options?.animation).toBe(false)
    const datasets = config.data.datasets as unknown as Array<{ label: string; order: number; data: unknown[] }>
    expect(datasets.map((d) => d.label)).toEqual(['data', 'student'])
    // Data is drawn underneath the samples.
    expect(datasets[0]?.order).toBeGreaterThan(datasets[1]?.order as number)
    expect(datasets[1]?.data).toBe(wild)
  })

  it('falls back to a default range with no finite points', () => {
    expect(squareBounds([])).toEqual({ min: -2, max: 2 })
    expect(squareBounds([{ x: Number.NaN, y: 1 }])).toEqual({ min: -2, max: 2 })
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
