import { describe, expect, it } from 'vitest'
import { makeSchedule, nearestLevel } from '@shared/cd/schedule'
import { DEFAULT_MULTISTEP_SIGMAS, DISTILL_DEFAULTS, TEACHER_DEFAULTS } from '@shared/config/defaults'
import { trainedSteps } from '@shared/config/effective'
import { parseDistillConfig } from '@shared/config/validate'

const T = TEACHER_DEFAULTS
const schedule = makeSchedule(T.betaSchedule, T.numSteps, T.betaStart, T.betaEnd)
const sigmaOf = (k: number) => schedule.sigma[k] as number

describe("the default preset's grid and multistep sigmas", () => {
  it('re-noise the two-step sample to the second-lowest level of the Karras grid, below the rings spacing', () => {
    const levels = trainedSteps(parseDistillConfig({}), schedule)
    expect(DISTILL_DEFAULTS.grid).toBe('karras')
    // The levels defaults.ts documents: sigma 0.01, 0.124, 0.79, 3.41, 11.4, 31.9.
    expect(levels.map((k) => Number(sigmaOf(k).toPrecision(3)))).toEqual([0.01, 0.124, 0.79, 3.41, 11.4, 31.9])
    const [second, third, fourth, ...rest] = DISTILL_DEFAULTS.multistepSigmas.map((sigma) =>
      nearestLevel(schedule, levels, sigma),
    )
    expect([second, third, fourth]).toEqual([levels[1], levels[1], levels[1]])
    for (const k of rest) expect(k).toBe(levels[0])
    // The rings (radii 0.26 apart after scaling) keep the ring the first step drew.
    expect(sigmaOf(second as number)).toBeLessThan(0.26 / 2)
  })

  it('leave image data and the algorithms without a teacher on the uniform grid and sigmas from 0.8', () => {
    for (const partial of [
      { dataset: 'image:abc', teacher: 't' },
      { dataset: 'rings', algorithm: 'ct' },
      { dataset: 'rings', algorithm: 'ict' },
      { dataset: 'rings', algorithm: 'tutorial' },
    ]) {
      const config = parseDistillConfig(partial)
      expect(config.grid, JSON.stringify(partial)).toBe('uniform')
      expect(config.multistepSigmas, JSON.stringify(partial)).toEqual(DEFAULT_MULTISTEP_SIGMAS)
    }
    // Asked for, a field is kept whatever the kind's default.
    expect(parseDistillConfig({ dataset: 'rings', algorithm: 'ct', grid: 'karras' }).grid).toBe('karras')
  })
})
