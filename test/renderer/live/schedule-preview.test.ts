import { describe, expect, it } from 'vitest'
import { TEACHER_DEFAULTS, DISTILL_DEFAULTS } from '@shared/config/defaults'
import { makeSchedule } from '@shared/cd/schedule'
import {
  buildScheduleConfig,
  buildSigmaGridConfig,
  evalEmaDecayAt,
  ictNumScales,
  learningRateAt,
  sigmaLevels,
  trainingSchedules,
} from '../../../src-renderer/lib/charts/schedule-preview'

describe('schedule previews', () => {
  it("follows iCT's doubling curriculum (the engine's own formula): s0 + 1 at the start, doubling, capped at N", () => {
    // N = 160, K = 3000: s1 = 159, K' = floor(3000 / (log2 15 + 1)) = 611.
    expect(ictNumScales(0, 3000, 160)).toBe(11)
    expect(ictNumScales(610, 3000, 160)).toBe(11)
    expect(ictNumScales(611, 3000, 160)).toBe(21)
    expect(ictNumScales(1222, 3000, 160)).toBe(41)
    expect(ictNumScales(2999, 3000, 160)).toBe(160)
    for (let k = 1; k < 3000; k++)
      expect(ictNumScales(k, 3000, 160)).toBeGreaterThanOrEqual(ictNumScales(k - 1, 3000, 160))
  })

  it('reproduces the engine learning rate: linear warm-up, then cosine to near 0', () => {
    expect(learningRateAt(50, 1e-3, 3000, 100, 'cosine')).toBeCloseTo(5e-4)
    expect(learningRateAt(100, 1e-3, 3000, 100, 'cosine')).toBeCloseTo(1e-3)
    expect(learningRateAt(101, 1e-3, 3000, 100, 'cosine')).toBeCloseTo(1e-3)
    expect(learningRateAt(3000, 1e-3, 3000, 100, 'cosine')).toBeGreaterThan(0)
    expect(learningRateAt(3000, 1e-3, 3000, 100, 'cosine')).toBeLessThan(1e-8)
    expect(learningRateAt(1550, 1e-3, 3000, 100, 'cosine')).toBeCloseTo(5e-4, 5)
    expect(learningRateAt(2000, 1e-4, 3000, 0, 'constant')).toBe(1e-4)
    expect(evalEmaDecayAt(0, 0.999)).toBeCloseTo(0.1)
    expect(evalEmaDecayAt(1e6, 0.999)).toBe(0.999)
  })

  it("places N uniform levels on the teacher's steps, from sigma_min to sigma_max", () => {
    const schedule = makeSchedule('linear', 1000, 1e-4, 0.02)
    const levels = sigmaLevels(
      { ...DISTILL_DEFAULTS, numScales: 18, grid: 'uniform', sigmaMax: null },
      TEACHER_DEFAULTS,
    )
    expect(levels.steps).toHaveLength(18)
    expect(levels.steps[0]).toBe(0)
    expect(levels.steps[17]).toBe(999)
    expect(levels.sigmas[0]).toBeCloseTo(schedule.sigma[0] as number, 12)
    expect(levels.sigmas[17]).toBeCloseTo(schedule.sigma[999] as number, 12)
    for (let i = 1; i < levels.sigmas.length; i++)
      expect(levels.sigmas[i]).toBeGreaterThan(levels.sigmas[i - 1] as number)
  })

  it('tops the grid at the teacher step nearest sigmaMax, and refuses one above the teacher', () => {
    const schedule = makeSchedule('linear', 1000, 1e-4, 0.02)
    const levels = sigmaLevels({ ...DISTILL_DEFAULTS, numScales: 6, grid: 'uniform', sigmaMax: 80 }, TEACHER_DEFAULTS)
    // sigma[930] = 80.29 is the nearest to 80 (sigma[929] = 79.54, sigma[931] = 81.05).
    expect(levels.steps).toEqual([0, 186, 372, 558, 744, 930])
    expect(levels.sigmas[5]).toBeCloseTo(schedule.sigma[930] as number, 12)
    const karras = sigmaLevels({ ...DISTILL_DEFAULTS, numScales: 6, grid: 'karras', sigmaMax: 80 }, TEACHER_DEFAULTS)
    expect(karras.steps[0]).toBe(0)
    expect(karras.steps[karras.steps.length - 1]).toBe(930)
    expect(() => sigmaLevels({ ...DISTILL_DEFAULTS, sigmaMax: 200 }, TEACHER_DEFAULTS)).toThrow(
      /sigmaMax 200 is above the teacher's largest sigma 157\.4/,
    )
  })

  it('spaces Karras levels densely at low sigma, and uses the final N for ict and the walkthrough levels for tutorial', () => {
    const karras = sigmaLevels({ ...DISTILL_DEFAULTS, numScales: 18, grid: 'karras' }, TEACHER_DEFAULTS)
    const uniform = sigmaLevels({ ...DISTILL_DEFAULTS, numScales: 18, grid: 'uniform' }, TEACHER_DEFAULTS)
    expect(karras.sigmas[1]).toBeLessThan(uniform.sigmas[1] as number)
    const ict = sigmaLevels({ ...DISTILL_DEFAULTS, algorithm: 'ict', numScales: 160, steps: 3000 }, TEACHER_DEFAULTS)
    expect(ict.numScales).toBe(ictNumScales(2999, 3000, 160))
    const tutorial = sigmaLevels({ ...DISTILL_DEFAULTS, algorithm: 'tutorial', numScales: 100 }, TEACHER_DEFAULTS)
    expect(tutorial.steps[0]).toBe(10)
    expect(tutorial.steps[tutorial.steps.length - 1]).toBe(999)
  })

  it('reports a teacher whose last step is not noise', () => {
    expect(() => sigmaLevels(DISTILL_DEFAULTS, { ...TEACHER_DEFAULTS, numSteps: 100 })).toThrow(/not noise/)
  })

  it('draws the N(k) stairs of ict with exact stage boundaries, mu = 0 for ict and constant otherwise', () => {
    const config = { ...DISTILL_DEFAULTS, algorithm: 'ict' as const, numScales: 160, steps: 3000, targetEma: 0.95 }
    const s = trainingSchedules(config, 10)
    for (const p of s.numScales) expect(p.y).toBe(ictNumScales(p.x, 3000, 160))
    // Every change of N appears with the step just before it.
    for (let i = 1; i < s.numScales.length; i++) {
      const [a, b] = [s.numScales[i - 1], s.numScales[i]] as [{ x: number; y: number }, { x: number; y: number }]
      if (a.y !== b.y) expect(b.x - a.x).toBe(1)
    }
    expect(new Set(s.numScales.map((p) => p.y)).size).toBe(5)
    expect(s.mu.every((p) => p.y === 0)).toBe(true)
    const cd = trainingSchedules({ ...DISTILL_DEFAULTS, targetEma: 0.95 }, 10)
    expect(cd.mu.every((p) => p.y === 0.95)).toBe(true)
    expect(cd.numScales.every((p) => p.y === DISTILL_DEFAULTS.numScales)).toBe(true)
    expect(cd.lr[0]?.x).toBe(0)
    expect(cd.lr[cd.lr.length - 1]?.x).toBe(2999)
    // The end of the warm-up is sampled: the peak is there.
    expect(Math.max(...cd.lr.map((p) => p.y))).toBeCloseTo(DISTILL_DEFAULTS.lr)
  })

  it('builds the preview charts with parsing off and a log sigma axis', () => {
    const levels = sigmaLevels(DISTILL_DEFAULTS, TEACHER_DEFAULTS)
    const grid = buildSigmaGridConfig(levels)
    expect(grid.options?.parsing).toBe(false)
    expect((grid.options?.scales?.y as { type: string }).type).toBe('logarithmic')
    expect((grid.data.datasets[0]?.data as unknown[]).length).toBe(levels.sigmas.length)
    const n = buildScheduleConfig({ label: 'N(k)', points: [{ x: 0, y: 10 }], stepped: true })
    expect((n.data.datasets[0] as { stepped?: unknown }).stepped).toBe('before')
  })
})
