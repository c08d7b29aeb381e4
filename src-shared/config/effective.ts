/**
 * The effective config: what a distillation really trains with. A config says what was asked; some
 * algorithms fix a value whatever was asked (iCT's target is the online network, so mu = 0, and its loss is
 * weighted by 1 / gap; the walkthrough's loop weights every pair alike and draws no top pair), N changes
 * over training for iCT, and the grid's top is a teacher step found from sigmaMax. The engine trains from
 * this, and the form's previews, the Method line, validation and the run history show it, so what a run
 * says it did is what it did.
 */
import { cdStepGrid, gridTopStep, walkthroughStepGrid, type NoiseSchedule } from '../cd/schedule'
import { evalEmaDecayAt, ictNumScales, learningRateAt } from '../cd/training-schedules'
import { ALGORITHMS, type Algorithm } from './fields'
import type { DistillConfig } from './schemas'
import { completeStoredDistillConfig } from './stored'

type DistillField = keyof DistillConfig

/** How an algorithm trains, beyond the config's values. */
export interface AlgorithmBehaviour {
  /**
   * The target's input: the teacher's ODE from the student's point (cd), the same noise at the cleaner
   * level (ct, ict), or independent noise at the noisier level (the walkthrough's loop as written).
   */
  targetInput: 'teacher' | 'same-noise' | 'own-noise'
  /** The network the target is computed with: the EMA target (mu = targetEma) or the online student (mu = 0). */
  targetNetwork: 'ema' | 'online'
  /** How the pair index n is drawn: uniformly, lognormally in sigma (iCT), or the walkthrough's n T / N levels. */
  pairSampling: 'uniform' | 'lognormal' | 'walkthrough'
  /** The consistency function's boundary condition c_skip, c_out (the walkthrough's loop has none). */
  usesBoundary: boolean
  /** N grows over training (iCT's doubling curriculum up to numScales) instead of staying at numScales. */
  scaleCurriculum: boolean
  /** Values the algorithm trains with whatever the config says. */
  overrides: Readonly<
    Partial<Pick<DistillConfig, 'targetEma' | 'weighting' | 'topPairShare' | 'topPairTarget' | 'topPairReplay'>>
  >
  /**
   * Fields the algorithm never reads (the teacher's solve is cd's alone; the walkthrough has no grid, grid
   * top, boundary condition, weighting or top pair). Where one still trains as some value, `overrides` has it.
   */
  unused: readonly DistillField[]
}

export const ALGORITHM_BEHAVIOUR: Readonly<Record<Algorithm, AlgorithmBehaviour>> = {
  cd: {
    targetInput: 'teacher',
    targetNetwork: 'ema',
    pairSampling: 'uniform',
    usesBoundary: true,
    scaleCurriculum: false,
    overrides: {},
    unused: [],
  },
  ct: {
    targetInput: 'same-noise',
    targetNetwork: 'ema',
    pairSampling: 'uniform',
    usesBoundary: true,
    scaleCurriculum: false,
    // Without a teacher there is no solve down to sigma_min: the top share trains on the next level's target.
    overrides: { topPairTarget: 'next-level', topPairReplay: 0 },
    unused: ['solver', 'teacherSubsteps', 'topPairTarget', 'topPairReplay'],
  },
  ict: {
    targetInput: 'same-noise',
    targetNetwork: 'online',
    pairSampling: 'lognormal',
    usesBoundary: true,
    scaleCurriculum: true,
    overrides: { targetEma: 0, weighting: 'inverse-gap', topPairTarget: 'next-level', topPairReplay: 0 },
    unused: ['solver', 'teacherSubsteps', 'topPairTarget', 'topPairReplay'],
  },
  tutorial: {
    targetInput: 'own-noise',
    targetNetwork: 'ema',
    pairSampling: 'walkthrough',
    usesBoundary: false,
    scaleCurriculum: false,
    // Its loss is a plain mean over n drawn uniformly from 1..N-1: weighting and the top pair share are not
    // read, and train as uniform and 0; its levels n T / N end at the teacher's last step (sigmaMax empty).
    overrides: { weighting: 'uniform', topPairShare: 0, topPairTarget: 'next-level', topPairReplay: 0 },
    unused: [
      'solver',
      'teacherSubsteps',
      'grid',
      'sigmaMax',
      'sigmaData',
      'weighting',
      'topPairShare',
      'topPairTarget',
      'topPairReplay',
    ],
  },
}

/** The behaviour of `algorithm`, or null for a value that is not one (a partial or foreign config). */
export function behaviourOf(algorithm: unknown): AlgorithmBehaviour | null {
  return (ALGORITHMS as readonly unknown[]).includes(algorithm) ? ALGORITHM_BEHAVIOUR[algorithm as Algorithm] : null
}

/**
 * The config with its algorithm's fixed values in place of the asked ones (a field the algorithm fixes is
 * set even where the config lacks it: that is the value it trained with). Works on partial configs; one
 * without a known algorithm comes back as a copy.
 */
export function effectiveValues<C extends Partial<DistillConfig>>(config: C): C {
  return { ...config, ...behaviourOf(config.algorithm)?.overrides }
}

/** N at 0-based step k: iCT's curriculum, otherwise numScales. */
export function numScalesAt(config: Pick<DistillConfig, 'algorithm' | 'numScales' | 'steps'>, step: number): number {
  return behaviourOf(config.algorithm)?.scaleCurriculum
    ? ictNumScales(step, config.steps, config.numScales)
    : config.numScales
}

/** The N the run ends at (the levels it is sampled on). */
export function finalNumScales(config: Pick<DistillConfig, 'algorithm' | 'numScales' | 'steps'>): number {
  return numScalesAt(config, Math.max(0, config.steps - 1))
}

/** The target network's decay mu at 0-based step k (no schedule today: constant over training). */
export function targetMuAt(config: Pick<DistillConfig, 'algorithm' | 'targetEma'>, _step: number): number {
  return effectiveValues(config).targetEma
}

/** The learning rate of 0-based step k's update (learningRateAt counts updates from 1). */
export function learningRateAtStep(
  config: Pick<DistillConfig, 'lr' | 'steps' | 'warmupSteps' | 'lrSchedule'>,
  step: number,
): number {
  return learningRateAt(step + 1, config.lr, config.steps, config.warmupSteps, config.lrSchedule)
}

/** The evaluation EMA's decay after 0-based step k's update. */
export function evalEmaAtStep(config: Pick<DistillConfig, 'evalEma'>, step: number): number {
  return evalEmaDecayAt(step, config.evalEma)
}

/**
 * The teacher steps of the N levels, clean to noisy: the walkthrough's n T / N for n = 1..N (clamped to the
 * last step, duplicates dropped), otherwise the uniform or Karras grid up to the grid top. Throws the
 * schedule's error for a sigmaMax above the teacher's last step.
 */
export function levelSteps(
  config: Pick<DistillConfig, 'algorithm' | 'grid'> & Partial<Pick<DistillConfig, 'sigmaMax'>>,
  schedule: NoiseSchedule,
  numScales: number,
): number[] {
  if (behaviourOf(config.algorithm)?.pairSampling === 'walkthrough')
    return walkthroughStepGrid(schedule.numSteps, numScales)
  return cdStepGrid(schedule, numScales, config.grid, config.sigmaMax ?? null)
}

/** The levels the student is trained on at the end of the run (the ones it samples on). */
export function trainedSteps(
  config: Pick<DistillConfig, 'algorithm' | 'grid' | 'numScales' | 'steps'> & Partial<Pick<DistillConfig, 'sigmaMax'>>,
  schedule: NoiseSchedule,
): number[] {
  return levelSteps(config, schedule, finalNumScales(config))
}

export interface FieldDifference {
  field: string
  requested: unknown
  effective: unknown
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b)

/**
 * The fields whose effective value differs from the requested one. Only fields the request has: one it
 * lacks (a record from before the field existed) asked for nothing.
 */
export function differingFields(requested: unknown, effective: unknown): FieldDifference[] {
  const asked = asRecord(requested)
  const got = asRecord(effective)
  return Object.keys(asked)
    .filter((field) => Object.hasOwn(got, field) && !same(asked[field], got[field]))
    .map((field) => ({ field, requested: asked[field], effective: got[field] }))
}

export interface EffectiveDistill {
  /** The config as asked. */
  requested: DistillConfig
  /** The values training uses (effectiveValues). */
  config: DistillConfig
  /** Fields whose effective value differs from the asked one. */
  differs: FieldDifference[]
  behaviour: AlgorithmBehaviour
  finalNumScales: number
  /** The schedules at 0-based step k: the engine trains with them and the form's previews draw them. */
  numScalesAt(step: number): number
  targetMuAt(step: number): number
  learningRateAt(step: number): number
  evalEmaAt(step: number): number
  /** The teacher step the grid ends at; null without the teacher's schedule. */
  gridTop: number | null
}

/**
 * Everything above for one valid config; with the teacher's schedule also the grid's top step, which
 * throws the schedule's error (naming sigmaMax) when sigmaMax lies above the teacher's last step.
 */
export function effectiveDistill(requested: DistillConfig, schedule?: NoiseSchedule): EffectiveDistill {
  const config = effectiveValues(requested)
  const behaviour = ALGORITHM_BEHAVIOUR[requested.algorithm]
  // Only the fields the algorithm fixes can differ, listed in the order it declares them.
  const fixed = Object.keys(behaviour.overrides).filter((k) => Object.hasOwn(requested, k))
  return {
    requested,
    config,
    differs: differingFields(Object.fromEntries(fixed.map((k) => [k, requested[k as DistillField]])), config),
    behaviour,
    finalNumScales: finalNumScales(requested),
    numScalesAt: (step) => numScalesAt(requested, step),
    targetMuAt: (step) => targetMuAt(requested, step),
    learningRateAt: (step) => learningRateAtStep(requested, step),
    evalEmaAt: (step) => evalEmaAtStep(requested, step),
    gridTop: schedule ? gridTopStep(schedule, requested.sigmaMax) : null,
  }
}

/**
 * The effective config of a stored run: for a distillation its config read as it ran (fields added since
 * filled with the value older runs ran with, then the algorithm's fixed values); a teacher run's config is
 * what it trained with. A stored value that is not an object is returned as it is.
 */
export function storedEffectiveConfig(kind: string, config: unknown): unknown {
  if (kind !== 'distill' || config === null || typeof config !== 'object' || Array.isArray(config)) return config
  return effectiveValues(completeStoredDistillConfig(config as Partial<DistillConfig>))
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}
