import { describe, expect, it } from 'vitest'
import { makeSchedule } from '@shared/cd/schedule'
import { ictNumScales } from '@shared/cd/training-schedules'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import {
  ALGORITHM_BEHAVIOUR,
  differingFields,
  effectiveDistill,
  effectiveValues,
  finalNumScales,
  levelSteps,
  numScalesAt,
  storedEffectiveConfig,
  targetMuAt,
  trainedSteps,
} from '@shared/config/effective'
import { ALGORITHMS } from '@shared/config/fields'
import { DISTILL_FIELDS_ADDED } from '@shared/config/stored'
import { parseDistillConfig } from '@shared/config/validate'

// The default teacher's schedule: T = 1000, linear betas 1e-4 -> 0.02 (sigma 157.4 at its last step).
const schedule = makeSchedule('linear', 1000, 1e-4, 0.02)

describe('the effective config', () => {
  it('#16.2 an iCT config asking mu 0.95 and uniform weighting trains with mu 0 and inverse-gap, and says what was asked', () => {
    const requested = parseDistillConfig({
      algorithm: 'ict',
      targetEma: 0.95,
      weighting: 'uniform',
      numScales: 160,
      steps: 3000,
    })
    expect(requested.targetEma).toBe(0.95)
    const effective = effectiveDistill(requested)
    expect(effective.requested).toBe(requested)
    expect(effective.config).toEqual({ ...requested, targetEma: 0, weighting: 'inverse-gap' })
    expect(effective.differs).toEqual([
      { field: 'targetEma', requested: 0.95, effective: 0 },
      { field: 'weighting', requested: 'uniform', effective: 'inverse-gap' },
    ])
    expect(effective.targetMuAt(0)).toBe(0)
    expect(effective.targetMuAt(2999)).toBe(0)
    expect(effective.behaviour).toMatchObject({
      targetNetwork: 'online',
      pairSampling: 'lognormal',
      scaleCurriculum: true,
    })
    expect(effectiveValues(requested)).toEqual(effective.config)
  })

  it('#16.2 the iCT defaults are the values iCT trains with', () => {
    const defaults = parseDistillConfig({ algorithm: 'ict' })
    expect(defaults.targetEma).toBe(0)
    expect(defaults.weighting).toBe('inverse-gap')
    expect(effectiveDistill(defaults).differs).toEqual([])
  })

  it('leaves cd and ct as asked', () => {
    for (const algorithm of ['cd', 'ct'] as const) {
      const requested = parseDistillConfig({ algorithm, targetEma: 0.95, weighting: 'uniform', topPairShare: 0.3 })
      const effective = effectiveDistill(requested)
      expect(effective.config).toEqual(requested)
      expect(effective.differs).toEqual([])
      expect(effective.targetMuAt(10)).toBe(0.95)
      expect(effective.numScalesAt(10)).toBe(requested.numScales)
    }
    expect(ALGORITHM_BEHAVIOUR.cd.targetInput).toBe('teacher')
    expect(ALGORITHM_BEHAVIOUR.ct.unused).toEqual(['solver', 'teacherSubsteps', 'topPairTarget', 'topPairReplay'])
  })

  it("reads the walkthrough's loop as unweighted, with no top pair and none of the grid's settings", () => {
    const requested = parseDistillConfig({ algorithm: 'tutorial', weighting: 'inverse-gap', topPairShare: 0.5 })
    const effective = effectiveDistill(requested)
    expect(effective.config.weighting).toBe('uniform')
    expect(effective.config.topPairShare).toBe(0)
    expect(effective.config.targetEma).toBe(requested.targetEma)
    expect(effective.differs.map((d) => d.field)).toEqual(['weighting', 'topPairShare'])
    expect(effective.behaviour.usesBoundary).toBe(false)
    expect(effective.behaviour.unused).toEqual(expect.arrayContaining(['grid', 'sigmaMax', 'sigmaData', 'solver']))
  })

  it("gives N(k) as iCT's curriculum up to numScales, and a constant N otherwise", () => {
    const ict = { algorithm: 'ict' as const, numScales: 160, steps: 3000 }
    for (const k of [0, 610, 611, 1222, 2999]) expect(numScalesAt(ict, k)).toBe(ictNumScales(k, 3000, 160))
    expect(finalNumScales(ict)).toBe(160)
    expect(numScalesAt({ ...ict, algorithm: 'cd' }, 0)).toBe(160)
    expect(finalNumScales({ algorithm: 'ict', numScales: 40, steps: 1 })).toBe(ictNumScales(0, 1, 40))
    expect(targetMuAt({ algorithm: 'ct', targetEma: 0.9 }, 5)).toBe(0.9)
    expect(targetMuAt({ algorithm: 'ict', targetEma: 0.9 }, 5)).toBe(0)
  })

  it("finds the grid's top step on the teacher's schedule, and refuses one above the teacher naming sigmaMax", () => {
    // sigma[930] = 80.29 is the teacher step nearest 80.
    expect(effectiveDistill(parseDistillConfig({ sigmaMax: 80 }), schedule).gridTop).toBe(930)
    expect(effectiveDistill(parseDistillConfig({ sigmaMax: null }), schedule).gridTop).toBe(999)
    expect(effectiveDistill(parseDistillConfig({ sigmaMax: 80 })).gridTop).toBeNull()
    expect(() => effectiveDistill(parseDistillConfig({ sigmaMax: 200 }), schedule)).toThrow(
      /sigmaMax 200 is above the teacher's largest sigma 157\.4/,
    )
  })

  it('builds the levels the engine trains on: the grid up to its top, or the walkthrough n T / N', () => {
    expect(levelSteps({ algorithm: 'cd', grid: 'uniform', sigmaMax: 80 }, schedule, 6)).toEqual([
      0, 186, 372, 558, 744, 930,
    ])
    expect(levelSteps({ algorithm: 'tutorial', grid: 'uniform' }, schedule, 4)).toEqual([250, 500, 750, 999])
    const ict = { algorithm: 'ict' as const, grid: 'karras' as const, numScales: 40, steps: 100 }
    expect(trainedSteps(ict, schedule)).toEqual(levelSteps(ict, schedule, 40))
    expect(trainedSteps(ict, schedule)[0]).toBe(0)
    expect(trainedSteps(ict, schedule).at(-1)).toBe(999)
  })

  it('#16.2 reads a stored iCT run as it ran: mu 0, inverse-gap, and the fields added since at the values older runs ran with', () => {
    const stored = { algorithm: 'ict', numScales: 160, targetEma: 0.95, weighting: 'uniform' }
    const effective = storedEffectiveConfig('distill', stored) as Record<string, unknown>
    expect(effective).toEqual({ ...DISTILL_FIELDS_ADDED, ...stored, targetEma: 0, weighting: 'inverse-gap' })
    expect(stored.targetEma).toBe(0.95) // the stored request is not changed
    // Fields the request lacks asked for nothing: only the overridden ones differ.
    expect(differingFields(stored, effective)).toEqual([
      { field: 'targetEma', requested: 0.95, effective: 0 },
      { field: 'weighting', requested: 'uniform', effective: 'inverse-gap' },
    ])
    expect(storedEffectiveConfig('teacher', TEACHER_DEFAULTS)).toBe(TEACHER_DEFAULTS)
    expect(storedEffectiveConfig('distill', null)).toBeNull()
    expect(storedEffectiveConfig('distill', { algorithm: 'nope', targetEma: 0.5 })).toEqual({
      ...DISTILL_FIELDS_ADDED,
      algorithm: 'nope',
      targetEma: 0.5,
    })
  })

  it('compares arrays by content', () => {
    expect(differingFields({ multistepSigmas: [0.8, 0.4] }, { multistepSigmas: [0.8, 0.4] })).toEqual([])
    expect(differingFields({ multistepSigmas: [0.8, 0.4] }, { multistepSigmas: [0.8] })).toHaveLength(1)
  })

  it.each(ALGORITHMS)(
    '%s: every parsed default config is its own effective config once the fixed values are in',
    (algorithm) => {
      const effective = effectiveDistill(parseDistillConfig({ algorithm }))
      expect(effective.differs).toEqual([])
    },
  )
})
