import { describe, expect, it } from 'vitest'
import { LIGHT_THEME } from '../../../src-renderer/lib/charts/theme'
import {
  buildSampleConfig,
  dataSample,
  sampleAtStep,
  sampleNfes,
  sampleSteps,
  sharedBounds,
  sharedNoiseSeed,
  toPoints,
} from '../../../src-renderer/lib/charts/compare-samples'
import { sampleRecord } from './fixtures'

const a = [
  sampleRecord('a', 1, 100, 1),
  sampleRecord('a', 2, 200, 1),
  sampleRecord('a', 3, 200, 2),
  sampleRecord('a', 4, 400, 1),
  sampleRecord('a', 5, 0, 0, 'data'),
]
const b = [sampleRecord('b', 11, 150, 1), sampleRecord('b', 12, 300, 1), sampleRecord('b', 13, 300, 1, 'teacher')]

describe('shared step logic', () => {
  it('offers the union of student steps at the chosen NFE', () => {
    expect(sampleSteps([a, b], 1)).toEqual([100, 150, 200, 300, 400])
    expect(sampleSteps([a, b], 2)).toEqual([200])
    expect(sampleNfes([a, b])).toEqual([1, 2])
  })

  it('shows each run’s sample at the largest step ≤ the slider', () => {
    expect(sampleAtStep(a, 150, 1)?.id).toBe(1)
    expect(sampleAtStep(b, 150, 1)?.id).toBe(11)
    expect(sampleAtStep(a, 300, 1)?.id).toBe(2)
    expect(sampleAtStep(b, 300, 1)?.id).toBe(12)
    expect(sampleAtStep(a, 10_000, 1)?.id).toBe(4)
    expect(sampleAtStep(b, 100, 1)).toBeNull()
    expect(sampleAtStep(a, 250, 2)?.id).toBe(3)
  })

  it('never shows a teacher or data sample as the run’s sample, and finds the data', () => {
    expect(sampleAtStep(b, 300, 1)?.model).toBe('student')
    expect(dataSample(a)?.id).toBe(5)
    expect(dataSample(b)).toBeNull()
  })
})

describe('sample scatter', () => {
  it('draws the data faintly behind the run’s points on shared axes', () => {
    const pts = toPoints([0, 1, 2, 3, 4, 5], 2)
    expect(pts).toEqual([
      { x: 0, y: 1 },
      { x: 2, y: 3 },
      { x: 4, y: 5 },
    ])
    const bounds = sharedBounds([pts, [{ x: -4, y: 0 }]], 0)
    expect(bounds).not.toBeNull()
    expect(bounds!.maxX - bounds!.minX).toBeCloseTo(bounds!.maxY - bounds!.minY, 12)
    expect(bounds!.minX).toBeLessThan(-4)
    expect(bounds!.maxX).toBeGreaterThan(4)
    const cfg = buildSampleConfig({
      runId: 'a',
      color: '#4e79a7',
      points: pts,
      data: [{ x: 0, y: 0 }],
      bounds,
      theme: LIGHT_THEME,
    })
    expect(cfg.data.datasets.map((d) => d.label)).toEqual(['held-out data', 'a'])
    expect(cfg.data.datasets[0]?.backgroundColor).toBe(LIGHT_THEME.dataPoint)
    expect(cfg.options?.parsing).toBe(false)
    expect((cfg.options?.scales as Record<string, { min: number }>).x?.min).toBe(bounds!.minX)
  })

  it('ignores non-finite points for the bounds', () => {
    expect(sharedBounds([[{ x: Number.NaN, y: 1 }]])).toBeNull()
  })
})

describe('shared noise', () => {
  // previews on seed 7 in both runs; run a also has final samples on its own seed 99 at the same step
  const withFinal = [
    ...a,
    { ...sampleRecord('a', 20, 400, 1), role: 'final' as const, noiseSeed: 99 },
    { ...sampleRecord('a', 21, 400, 0, 'data'), role: 'final' as const, noiseSeed: 99 },
  ]
  const old = [{ ...sampleRecord('c', 30, 500, 1), role: 'final' as const, noiseSeed: 42 }]

  it('picks the noise most runs share', () => {
    expect(sharedNoiseSeed([withFinal, b])).toBe(7)
    expect(sharedNoiseSeed([[], []])).toBeNull()
  })

  it('shows the shared-noise sample even when a newer one from other noise exists', () => {
    expect(sampleAtStep(withFinal, 400, 1, 7)?.id).toBe(4)
    expect(sampleAtStep(withFinal, 400, 1)?.id).toBe(20)
    expect(dataSample(withFinal, 7)?.id).toBe(5)
  })

  it('falls back to a run’s own noise when it has nothing on the shared one', () => {
    expect(sampleAtStep(old, 1000, 1, 7)?.id).toBe(30)
    expect(sampleSteps([withFinal, old], 1, 7)).toEqual([100, 200, 400, 500])
  })
})
