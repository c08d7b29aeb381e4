import { ConfigError, DISTILL_DEFAULTS, parseDistillConfig, parseTeacherConfig, TEACHER_DEFAULTS } from '@shared/config'
import { PRESETS } from '@shared/config/presets'
import { describe, expect, it } from 'vitest'

/** The ConfigError thrown for `partial`, or a failure if none is thrown. */
function distillError(partial: Record<string, unknown>): ConfigError {
  try {
    parseDistillConfig(partial)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return e as ConfigError
  }
  throw new Error(`expected ${JSON.stringify(partial)} to be refused`)
}

describe('parseDistillConfig', () => {
  it('accepts the defaults', () => {
    expect(parseDistillConfig({})).toEqual(DISTILL_DEFAULTS)
    expect(parseDistillConfig({ ...DISTILL_DEFAULTS })).toEqual(DISTILL_DEFAULTS)
  })

  it('fills defaults around given fields and ignores undefined ones', () => {
    const c = parseDistillConfig({ numScales: 40, lr: 3e-4, seed: undefined })
    expect(c.numScales).toBe(40)
    expect(c.lr).toBe(3e-4)
    expect(c.seed).toBe(DISTILL_DEFAULTS.seed)
  })

  it('image data gets the image defaults where a field is unset; given values win', () => {
    const c = parseDistillConfig({ dataset: 'image:abc', teacher: 't' })
    expect(c).toMatchObject({
      numScales: 18,
      teacherSubsteps: 1,
      topPairShare: 0,
      sigmaMax: null,
      weighting: 'uniform',
      lr: 1e-3,
      // #17: the 2D default's batch of 1024 was measured on the MLP; an image run keeps 256.
      batch: 256,
    })
    expect(c.batch).not.toBe(DISTILL_DEFAULTS.batch)
    expect(parseDistillConfig({ dataset: 'rings', algorithm: 'ict' }).batch).toBe(256)
    expect(parseDistillConfig({ dataset: 'image:abc', teacher: 't', teacherSubsteps: 3, numScales: 9 })).toMatchObject({
      numScales: 9,
      teacherSubsteps: 3,
    })
    expect(parseDistillConfig({ dataset: 'rings' })).toMatchObject({
      numScales: DISTILL_DEFAULTS.numScales,
      teacherSubsteps: DISTILL_DEFAULTS.teacherSubsteps,
    })
  })

  it.each([-0.1, 0.95, Number.NaN])('refuses a top pair share of %s, naming topPairShare and the value', (share) => {
    const e = distillError({ topPairShare: share })
    expect(e.message).toContain('topPairShare')
    expect(e.message).toMatch(/top pair share must be (a number|in \[0, 0\.9\])/)
  })

  it.each([10, 31, Number.NaN])('refuses a grid top sigmaMax of %s, naming sigmaMax and the value', (sigmaMax) => {
    const e = distillError({ sigmaMax })
    expect(e.problems).toEqual([expect.objectContaining({ field: 'sigmaMax', value: sigmaMax })])
    expect(e.message).toMatch(/sigmaMax: sigmaMax must be (a number or empty|at least 31\.6 \(alphaBar <= 0\.001)/)
  })

  it("takes sigmaMax 31.6 and above, or null for the teacher's last step; refuses one for the walkthrough's loop", () => {
    expect(parseDistillConfig({ sigmaMax: 31.7 }).sigmaMax).toBe(31.7)
    expect(parseDistillConfig({ sigmaMax: null }).sigmaMax).toBeNull()
    expect(parseDistillConfig({ algorithm: 'tutorial' }).sigmaMax).toBeNull()
    const e = distillError({ algorithm: 'tutorial', sigmaMax: 80 })
    expect(e.problems).toEqual([expect.objectContaining({ field: 'sigmaMax', value: 80 })])
    expect(e.message).toContain("the walkthrough's loop (tutorial) runs over all T teacher steps")
  })

  it('refuses N = 1, naming numScales and the value', () => {
    const e = distillError({ numScales: 1 })
    expect(e.message).toContain('numScales')
    expect(e.message).toContain('1')
    expect(e.problems).toEqual([expect.objectContaining({ field: 'numScales', value: 1 })])
  })

  it.each([1, -0.1, 1.5])('refuses targetEma %s', (targetEma) => {
    const e = distillError({ targetEma })
    expect(e.problems.map((p) => p.field)).toEqual(['targetEma'])
    expect(e.message).toContain(String(targetEma))
  })

  it('accepts targetEma 0 (iCT) and 0.999', () => {
    expect(parseDistillConfig({ targetEma: 0 }).targetEma).toBe(0)
    expect(parseDistillConfig({ targetEma: 0.999 }).targetEma).toBe(0.999)
  })

  it.each([0, -1e-4, 2])('refuses lr %s', (lr) => {
    expect(distillError({ lr }).problems.map((p) => p.field)).toEqual(['lr'])
  })

  it('refuses a fractional batch size with "integer"', () => {
    const e = distillError({ batch: 2.5 })
    expect(e.message).toContain('batch')
    expect(e.message).toContain('integer')
    expect(e.message).toContain('2.5')
  })

  it.each([
    ['dataset', 'mnist'],
    ['loss', 'lpips'],
    ['solver', 'euler'],
    ['backend', 'cuda'],
    ['algorithm', 'gan'],
    ['grid', 'log'],
  ])('refuses unknown %s %s, naming the value', (field, value) => {
    const e = distillError({ [field]: value })
    expect(e.problems.map((p) => p.field)).toEqual([field])
    expect(e.message).toContain(`"${value}"`)
    expect(e.message).toContain('expected one of')
  })

  it('refuses an unknown key, naming it', () => {
    const e = distillError({ numScale: 18 })
    expect(e.message).toContain('numScale')
    expect(e.message).toMatch(/unknown field/)
  })

  it('reports every bad field at once', () => {
    const e = distillError({ numScales: 1, lr: 0, dataset: 'mnist' })
    expect(e.problems.map((p) => p.field).sort()).toEqual(['dataset', 'lr', 'numScales'])
  })

  it('refuses warm-up longer than the run and wrong-typed values', () => {
    expect(distillError({ warmupSteps: 5000, steps: 1000 }).problems[0]?.field).toBe('warmupSteps')
    expect(distillError({ numScales: '18' }).message).toContain('numScales')
    expect(distillError({ multistepSigmas: [0.4, 0.8] }).message).toMatch(/decreasing/)
  })
})

describe('parseTeacherConfig', () => {
  it('accepts the defaults', () => {
    expect(parseTeacherConfig({})).toEqual(TEACHER_DEFAULTS)
  })

  it('refuses a bad teacher field, naming it', () => {
    expect(() => parseTeacherConfig({ numSteps: 1 })).toThrow(ConfigError)
    expect(() => parseTeacherConfig({ timeEmbeddingDim: 33 })).toThrow(/even/)
    expect(() => parseTeacherConfig({ betaSchedule: 'sigmoid' })).toThrow(/"sigmoid"/)
    expect(() => parseTeacherConfig({ betaEnd: 'x' })).toThrow(/beta end must be a number/)
  })

  it('refuses a schedule whose last step is not noise, on T, before any run is created', () => {
    let problems: ConfigError['problems'] = []
    try {
      parseTeacherConfig({ numSteps: 50, betaEnd: 0.02 })
    } catch (error) {
      problems = (error as ConfigError).problems
    }
    expect(problems).toEqual([
      { field: 'numSteps', value: 50, message: expect.stringMatching(/alphaBar at the last step is 0\.603/) },
    ])
    expect(parseTeacherConfig({ numSteps: 50, betaEnd: 0.3 }).numSteps).toBe(50)
    expect(parseTeacherConfig({ numSteps: 100, betaSchedule: 'cosine' }).numSteps).toBe(100)
  })
})

describe('presets', () => {
  it.each(Object.entries(PRESETS))('%s is a valid config over the defaults', (_name, preset) => {
    expect(() => parseDistillConfig({ ...preset.values })).not.toThrow()
  })

  it('the presets that follow a paper keep its single teacher step and lambda = 1', () => {
    for (const name of ['cd-single-step', 'walkthrough', 'paper-cd'] as const) {
      expect(parseDistillConfig({ ...PRESETS[name].values }), name).toMatchObject({
        teacherSubsteps: 1,
        topPairShare: 0,
        weighting: 'uniform',
      })
    }
    // The walkthrough and ALGORITHM.md run to the teacher's last step; the CM paper's grid tops at sigma 80.
    expect(
      [PRESETS.walkthrough, PRESETS['cd-single-step'], PRESETS['paper-cd']].map(
        (p) => parseDistillConfig({ ...p.values }).sigmaMax,
      ),
    ).toEqual([null, null, 80])
  })

  it('the algorithms other than cd start from the single-step defaults, not the measured cd ones', () => {
    for (const algorithm of ['ct', 'ict', 'tutorial']) {
      expect(parseDistillConfig({ algorithm }), algorithm).toMatchObject({
        numScales: 18,
        teacherSubsteps: 1,
        topPairShare: 0,
        sigmaMax: null,
        lr: 1e-3,
      })
    }
    expect(parseDistillConfig({ algorithm: 'cd' })).toMatchObject({
      numScales: DISTILL_DEFAULTS.numScales,
      teacherSubsteps: DISTILL_DEFAULTS.teacherSubsteps,
    })
  })
})
