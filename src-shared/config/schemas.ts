/**
 * Run and teacher configurations: the only way in. Every value is checked here, and every failure names
 * the field and the value it got (see `validate.ts`). Each field's name in the messages and its bounds are
 * the field registry's (distill-fields.ts, teacher-fields.ts), so the forms and the CLI help say the same.
 */
import { z } from 'zod'
import { MAX_TERMINAL_ALPHA_BAR, scheduleOf, ScheduleError } from '../cd/schedule'
import { DATASET_CHOICES_TEXT, isImageDatasetRef, isKnownDatasetForm } from '../data/dataset-ref'
import { BACKENDS, BETA_SCHEDULES, MODELS, type ModelKind } from './choices'
import { DISTILL_FIELD_SPECS, DISTILL_FIELDS } from './distill-fields'
import { registryShape } from './field-schema'
import { boundsOf, specOf, specsByKey, type FieldSpec } from './registry'
import { TEACHER_FIELDS } from './teacher-fields'

type Specs = ReadonlyMap<string, FieldSpec>
const DISTILL: Specs = specsByKey(DISTILL_FIELDS)
const TEACHER: Specs = specsByKey(TEACHER_FIELDS)

const what = (specs: Specs, key: string) => specOf(specs, key).what

/** The value records from before the field existed ran with, which the schema fills in. */
function legacyDefault<V>(specs: Specs, key: string): V {
  const legacy = specOf(specs, key).legacy
  if (legacy?.by !== 'schema') throw new Error(`field ${key} has no schema default for older records`)
  return legacy.value as V
}

const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: () => `unknown ${what}; expected one of ${values.join(', ')}` })

const positiveInt = (what: string, min = 1, max = 1e9) =>
  z
    .number({ error: () => `${what} must be a number` })
    .int({ error: () => `${what} must be an integer` })
    .min(min, { error: () => `${what} must be at least ${min}` })
    .max(max, { error: () => `${what} must be at most ${max}` })

/** An integer field within its registry bounds. */
function intField(specs: Specs, key: string) {
  const b = boundsOf(specs, key)
  return positiveInt(what(specs, key), b.min, b.max)
}

/** A number within its registry's closed bounds. */
function numberField(specs: Specs, key: string) {
  const b = boundsOf(specs, key)
  const name = what(specs, key)
  return z
    .number({ error: () => `${name} must be a number` })
    .min(b.min, { error: () => `${name} must be at least ${b.min}` })
    .max(b.max as number, { error: () => `${name} must be at most ${b.max}` })
}

const seedBounds = boundsOf(DISTILL, 'seed')
const seed = z
  .number({ error: () => 'seed must be a number' })
  .int({ error: () => 'seed must be an integer' })
  .min(seedBounds.min, { error: () => `seed must be at least ${seedBounds.min}` })
  // 2^32 - 1: the seed is one 32-bit word of the generators' state.
  .max(seedBounds.max as number, { error: () => 'seed must be below 2^32' })

function learningRate(specs: Specs) {
  const b = boundsOf(specs, 'lr')
  return z
    .number({ error: () => 'learning rate must be a number' })
    .gt(b.min, { error: () => `learning rate must be > ${b.min}` })
    .max(b.max as number, { error: () => `learning rate must be at most ${b.max}` })
}

/** A decay in [0, 1): 1 would freeze the averaged weights forever. */
function decay(specs: Specs, key: string) {
  const b = boundsOf(specs, key)
  const message = `${what(specs, key)} must be in [${b.min}, ${b.max})`
  return z
    .number({ error: () => `${what(specs, key)} must be a number` })
    .min(b.min, { error: () => message })
    .lt(b.max as number, { error: () => message })
}

/** A beta in (0, 1). */
function beta(key: string) {
  const b = boundsOf(TEACHER, key)
  const name = what(TEACHER, key)
  return z
    .number({ error: () => `${name} must be a number` })
    .gt(b.min, { error: () => `${name} must be > ${b.min}` })
    .lt(b.max as number, { error: () => `${name} must be < ${b.max}` })
}

/** A built-in 2D dataset or `image:<id>`; whether that image dataset exists is the services' check. */
const dataset = z
  .string({ error: () => `unknown dataset; expected one of ${DATASET_CHOICES_TEXT}` })
  .refine(isKnownDatasetForm, { error: () => `unknown dataset; expected one of ${DATASET_CHOICES_TEXT}` })

const teacherSteps = intField(TEACHER, 'numSteps')
const multiplierLevels = specOf(TEACHER, 'unetMultipliers').items ?? { max: 5 }
const topShare = boundsOf(DISTILL, 'topPairShare')
const sigmaMax = boundsOf(DISTILL, 'sigmaMax')
const sigmaData = boundsOf(DISTILL, 'sigmaData')
const huberC = boundsOf(DISTILL, 'huberC')
const multistep = {
  entry: boundsOf(DISTILL, 'multistepSigmas'),
  items: specOf(DISTILL, 'multistepSigmas').items ?? { max: 16 },
}

export const TeacherConfigSchema = z
  .object({
    dataset,
    /** The epsilon network; configs written before image datasets existed lack it (the MLP). */
    model: oneOf(MODELS, what(TEACHER, 'model')).default(legacyDefault<ModelKind>(TEACHER, 'model')),
    numSteps: teacherSteps,
    betaSchedule: oneOf(BETA_SCHEDULES, what(TEACHER, 'betaSchedule')),
    betaStart: beta('betaStart'),
    betaEnd: beta('betaEnd'),
    hiddenWidth: intField(TEACHER, 'hiddenWidth'),
    hiddenDepth: intField(TEACHER, 'hiddenDepth'),
    timeEmbeddingDim: intField(TEACHER, 'timeEmbeddingDim').refine((v) => v % 2 === 0, {
      error: () => 'time embedding size must be even',
    }),
    /** U-Net only: channels of the first level (level l has unetChannels * unetMultipliers[l]). */
    unetChannels: intField(TEACHER, 'unetChannels').default(legacyDefault<number>(TEACHER, 'unetChannels')),
    /** U-Net only: one entry per resolution level (its depth); each level but the last halves the size. */
    unetMultipliers: z
      .array(intField(TEACHER, 'unetMultipliers'), {
        error: () => 'U-Net channel multipliers must be a list of integers',
      })
      .min(multiplierLevels.min ?? 1, { error: () => 'U-Net channel multipliers need at least one level' })
      .max(multiplierLevels.max, {
        error: () => `U-Net channel multipliers allow at most ${multiplierLevels.max} levels`,
      })
      .default(legacyDefault<number[]>(TEACHER, 'unetMultipliers')),
    unetResBlocks: intField(TEACHER, 'unetResBlocks').default(legacyDefault<number>(TEACHER, 'unetResBlocks')),
    /** U-Net only: GroupNorm groups; must divide the base channels (and so every normalised width). */
    unetGroups: intField(TEACHER, 'unetGroups').default(legacyDefault<number>(TEACHER, 'unetGroups')),
    /** MLP only: Fourier features of the input; teachers stored before them have none (TEACHER_FIELDS_ADDED). */
    fourierFeatures: intField(TEACHER, 'fourierFeatures'),
    fourierMaxFrequency: numberField(TEACHER, 'fourierMaxFrequency'),
    ema: decay(TEACHER, 'ema'),
    warmupSteps: intField(TEACHER, 'warmupSteps'),
    stepPower: numberField(TEACHER, 'stepPower'),
    lr: learningRate(TEACHER),
    batch: intField(TEACHER, 'batch'),
    steps: intField(TEACHER, 'steps'),
    seed,
    backend: oneOf(BACKENDS, what(DISTILL, 'backend')),
  })
  .strict()
  // A schedule whose last step is not noise cannot be sampled from pure noise (ALGORITHM.md): refused
  // here, so a form shows it on the field before a run is created, not as a failed run. Only from a valid
  // T (its own problem otherwise): scheduleOf allocates T entries, and 1e308 of them is a RangeError.
  .superRefine((config, ctx) => {
    try {
      if (teacherSteps.safeParse(config.numSteps).success) scheduleOf(config)
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error
      ctx.addIssue({ code: 'custom', path: ['numSteps'], message: error.message })
    }
    const wants = isImageDatasetRef(config.dataset) ? 'unet' : 'mlp'
    if (config.model !== wants) {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: `model ${config.model} does not fit dataset ${config.dataset}; ${wants === 'unet' ? 'image datasets' : '2D datasets'} use ${wants}`,
      })
    }
    if (config.unetChannels % config.unetGroups !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['unetGroups'],
        message: `U-Net GroupNorm groups must divide the base channels ${config.unetChannels}`,
      })
    }
  })

export type TeacherConfig = z.infer<typeof TeacherConfigSchema>

/**
 * The distillation fields with rules or messages of their own; every other field's schema is read from its
 * registry entry (field-schema.ts), so a plain new field needs nothing here.
 */
const DISTILL_OWN_SCHEMAS = {
  dataset,
  /** `builtin` = the shipped teacher for the dataset; otherwise a teacher checkpoint path. */
  teacher: z
    .string({ error: () => 'teacher must be "builtin" or a path' })
    .min(1, { error: () => 'teacher must not be empty' }),
  /** mu: decay of the target network used inside the loss. */
  targetEma: decay(DISTILL, 'targetEma'),
  /** Decay of the separate EMA used for sampling and evaluation. */
  evalEma: decay(DISTILL, 'evalEma'),
  lr: learningRate(DISTILL),
  /** Pseudo-Huber c; null means 0.00054 sqrt(dim) (iCT). */
  huberC: z
    .number()
    .gt(huberC.min, { error: () => `Huber c must be > ${huberC.min}` })
    .nullable(),
  /**
   * Share of each batch drawn at the top pair (t_{N-1}, t_N), the map the one-step sampler uses; the rest
   * is drawn as the algorithm draws n. 0 is ALGORITHM.md's uniform n. Configs stored before it existed
   * ran with 0 (see DISTILL_FIELDS_ADDED).
   */
  topPairShare: z
    .number({ error: () => 'top pair share must be a number' })
    .min(topShare.min, { error: () => `top pair share must be in [${topShare.min}, ${topShare.max}]` })
    .max(topShare.max as number, { error: () => `top pair share must be in [${topShare.min}, ${topShare.max}]` }),
  /**
   * sigma of the grid's top level, where one-step sampling starts from sigmaMax z; null is the teacher's
   * last step (ALGORITHM.md). At least MIN_SIGMA_MAX, so the start is still noise by ALGORITHM.md's rule.
   * Configs stored before it existed ran with null (see DISTILL_FIELDS_ADDED).
   */
  sigmaMax: z
    .number({ error: () => 'sigmaMax must be a number or empty' })
    .min(sigmaMax.min, {
      error: () =>
        `sigmaMax must be at least ${sigmaMax.min.toFixed(1)} (alphaBar <= ${MAX_TERMINAL_ALPHA_BAR}: the one-step start must be noise)`,
    })
    .max(sigmaMax.max as number, {
      error: () => `sigmaMax must be at most ${(sigmaMax.max as number).toExponential().replace('+', '')}`,
    })
    .nullable(),
  sigmaData: z
    .number()
    .gt(sigmaData.min, { error: () => `sigmaData must be > ${sigmaData.min}` })
    .max(sigmaData.max as number, { error: () => `sigmaData must be at most ${sigmaData.max}` }),
  seed,
  /** Intermediate sigmas for 2-step sampling and beyond (descending); see DEFAULT_MULTISTEP_SIGMAS. */
  multistepSigmas: z
    .array(z.number().gt(multistep.entry.min, { error: () => `multistep sigmas must be > ${multistep.entry.min}` }))
    .max(multistep.items.max, { error: () => `at most ${multistep.items.max} multistep sigmas` })
    .refine((a) => a.every((v, i) => i === 0 || v < (a[i - 1] as number)), {
      error: () => 'multistep sigmas must be strictly decreasing',
    }),
}

/** The distillation config's schema for a registry: DISTILL_FIELD_SPECS, or a test's registry built on it. */
export function distillConfigSchemaOf<T extends readonly FieldSpec[]>(specs: T) {
  return z.object(registryShape(specs, DISTILL_OWN_SCHEMAS)).strict()
}

export const DistillConfigSchema = distillConfigSchemaOf(DISTILL_FIELD_SPECS)

export type DistillConfig = z.infer<typeof DistillConfigSchema>
