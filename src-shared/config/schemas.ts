/**
 * Run and teacher configurations: the only way in. Every value is checked here, and every failure names
 * the field and the value it got (see `validate.ts`).
 */
import { z } from 'zod'
import { MAX_TERMINAL_ALPHA_BAR, MIN_SIGMA_MAX, scheduleOf, ScheduleError } from '../cd/schedule'
import { DATASET_CHOICES_TEXT, isImageDatasetRef, isKnownDatasetForm } from '../data/dataset-ref'
import { ALGORITHMS, BACKENDS, BETA_SCHEDULES, GRIDS, LOSSES, LR_SCHEDULES, MODELS, SOLVERS, WEIGHTINGS } from './fields'

const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: () => `unknown ${what}; expected one of ${values.join(', ')}` })

const positiveInt = (what: string, min = 1, max = 1e9) =>
  z
    .number({ error: () => `${what} must be a number` })
    .int({ error: () => `${what} must be an integer` })
    .min(min, { error: () => `${what} must be at least ${min}` })
    .max(max, { error: () => `${what} must be at most ${max}` })

const seed = z
  .number({ error: () => 'seed must be a number' })
  .int({ error: () => 'seed must be an integer' })
  .min(0, { error: () => 'seed must be at least 0' })
  .max(2 ** 32 - 1, { error: () => 'seed must be below 2^32' })

const learningRate = z
  .number({ error: () => 'learning rate must be a number' })
  .gt(0, { error: () => 'learning rate must be > 0' })
  .max(1, { error: () => 'learning rate must be at most 1' })

/** A decay in [0, 1): 1 would freeze the averaged weights forever. */
const decay = (what: string) =>
  z
    .number({ error: () => `${what} must be a number` })
    .min(0, { error: () => `${what} must be in [0, 1)` })
    .lt(1, { error: () => `${what} must be in [0, 1)` })

/** A built-in 2D dataset or `image:<id>`; whether that image dataset exists is the services' check. */
const dataset = z
  .string({ error: () => `unknown dataset; expected one of ${DATASET_CHOICES_TEXT}` })
  .refine(isKnownDatasetForm, { error: () => `unknown dataset; expected one of ${DATASET_CHOICES_TEXT}` })

const teacherSteps = positiveInt('T (teacher steps)', 2, 100_000)

export const TeacherConfigSchema = z
  .object({
    dataset,
    /** The epsilon network; configs written before image datasets existed lack it (the MLP). */
    model: oneOf(MODELS, 'model').default('mlp'),
    numSteps: teacherSteps,
    betaSchedule: oneOf(BETA_SCHEDULES, 'beta schedule'),
    betaStart: z
      .number({ error: () => 'beta start must be a number' })
      .gt(0, { error: () => 'beta start must be > 0' })
      .lt(1, { error: () => 'beta start must be < 1' }),
    betaEnd: z
      .number({ error: () => 'beta end must be a number' })
      .gt(0, { error: () => 'beta end must be > 0' })
      .lt(1, { error: () => 'beta end must be < 1' }),
    hiddenWidth: positiveInt('hidden width', 1, 8192),
    hiddenDepth: positiveInt('hidden depth', 1, 64),
    timeEmbeddingDim: positiveInt('time embedding size', 2, 4096).refine((v) => v % 2 === 0, {
      error: () => 'time embedding size must be even',
    }),
    /** U-Net only: channels of the first level (level l has unetChannels * unetMultipliers[l]). */
    unetChannels: positiveInt('U-Net base channels', 1, 1024).default(32),
    /** U-Net only: one entry per resolution level (its depth); each level but the last halves the size. */
    unetMultipliers: z
      .array(positiveInt('U-Net channel multiplier', 1, 16), { error: () => 'U-Net channel multipliers must be a list of integers' })
      .min(1, { error: () => 'U-Net channel multipliers need at least one level' })
      .max(5, { error: () => 'U-Net channel multipliers allow at most 5 levels' })
      .default([1, 2]),
    unetResBlocks: positiveInt('U-Net residual blocks per level', 1, 8).default(1),
    /** U-Net only: GroupNorm groups; must divide the base channels (and so every normalised width). */
    unetGroups: positiveInt('U-Net GroupNorm groups', 1, 1024).default(8),
    lr: learningRate,
    batch: positiveInt('batch size', 1, 1 << 20),
    steps: positiveInt('steps', 1, 1e8),
    seed,
    backend: oneOf(BACKENDS, 'backend'),
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
      ctx.addIssue({ code: 'custom', path: ['model'], message: `model ${config.model} does not fit dataset ${config.dataset}; ${wants === 'unet' ? 'image datasets' : '2D datasets'} use ${wants}` })
    }
    if (config.unetChannels % config.unetGroups !== 0) {
      ctx.addIssue({ code: 'custom', path: ['unetGroups'], message: `U-Net GroupNorm groups must divide the base channels ${config.unetChannels}` })
    }
  })

export type TeacherConfig = z.infer<typeof TeacherConfigSchema>

export const DistillConfigSchema = z
  .object({
    dataset,
    /** `builtin` = the shipped teacher for the dataset; otherwise a teacher checkpoint path. */
    teacher: z.string({ error: () => 'teacher must be "builtin" or a path' }).min(1, { error: () => 'teacher must not be empty' }),
    algorithm: oneOf(ALGORITHMS, 'algorithm'),
    /** N: number of discretisation levels on the teacher's steps. */
    numScales: positiveInt('N', 2, 100_000),
    grid: oneOf(GRIDS, 'grid'),
    /** mu: decay of the target network used inside the loss. */
    targetEma: decay('target EMA decay mu'),
    /** Decay of the separate EMA used for sampling and evaluation. */
    evalEma: decay('evaluation EMA decay'),
    lr: learningRate,
    lrSchedule: oneOf(LR_SCHEDULES, 'lr schedule'),
    warmupSteps: positiveInt('warm-up steps', 0, 1e8),
    batch: positiveInt('batch size', 1, 1 << 20),
    steps: positiveInt('steps', 1, 1e8),
    loss: oneOf(LOSSES, 'loss'),
    /** lambda: `uniform` (1) or `inverse-gap` (1 / (sigma_hi - sigma_lo)); iCT always uses inverse-gap. */
    weighting: oneOf(WEIGHTINGS, 'weighting'),
    /** Pseudo-Huber c; null means 0.00054 sqrt(dim) (iCT). */
    huberC: z.number().gt(0, { error: () => 'Huber c must be > 0' }).nullable(),
    solver: oneOf(SOLVERS, 'solver'),
    /**
     * Solver steps per CD hop (the teacher's ODE from the noisier to the cleaner level); 1 is ALGORITHM.md's
     * single step. Configs stored before it existed ran with 1 (see DISTILL_FIELDS_ADDED).
     */
    teacherSubsteps: positiveInt('teacher substeps', 1, 64),
    /**
     * Share of each batch drawn at the top pair (t_{N-1}, t_N), the map the one-step sampler uses; the rest
     * is drawn as the algorithm draws n. 0 is ALGORITHM.md's uniform n. Configs stored before it existed
     * ran with 0 (see DISTILL_FIELDS_ADDED).
     */
    topPairShare: z
      .number({ error: () => 'top pair share must be a number' })
      .min(0, { error: () => 'top pair share must be in [0, 0.9]' })
      .max(0.9, { error: () => 'top pair share must be in [0, 0.9]' }),
    /**
     * sigma of the grid's top level, where one-step sampling starts from sigmaMax z; null is the teacher's
     * last step (ALGORITHM.md). At least MIN_SIGMA_MAX, so the start is still noise by ALGORITHM.md's rule.
     * Configs stored before it existed ran with null (see DISTILL_FIELDS_ADDED).
     */
    sigmaMax: z
      .number({ error: () => 'sigmaMax must be a number or empty' })
      .min(MIN_SIGMA_MAX, { error: () => `sigmaMax must be at least ${MIN_SIGMA_MAX.toFixed(1)} (alphaBar <= ${MAX_TERMINAL_ALPHA_BAR}: the one-step start must be noise)` })
      .max(1e6, { error: () => 'sigmaMax must be at most 1e6' })
      .nullable(),
    sigmaData: z.number().gt(0, { error: () => 'sigmaData must be > 0' }).max(100, { error: () => 'sigmaData must be at most 100' }),
    seed,
    backend: oneOf(BACKENDS, 'backend'),
    evalEvery: positiveInt('evaluation interval', 0, 1e8),
    /**
     * Live sample previews (student at NFE 1 and 2 from the fixed preview noise, and their sliced
     * Wasserstein) every this many steps; 0 = none. Configs written before previews existed lack it.
     */
    sampleEvery: positiveInt('sample preview interval', 0, 1e8).default(250),
    checkpointEvery: positiveInt('checkpoint interval', 0, 1e8),
    evalSamples: positiveInt('evaluation samples', 16, 100_000),
    /** Intermediate sigmas for 2-step sampling and beyond (descending); see DEFAULT_MULTISTEP_SIGMAS. */
    multistepSigmas: z
      .array(z.number().gt(0, { error: () => 'multistep sigmas must be > 0' }))
      .max(16, { error: () => 'at most 16 multistep sigmas' })
      .refine((a) => a.every((v, i) => i === 0 || v < (a[i - 1] as number)), {
        error: () => 'multistep sigmas must be strictly decreasing',
      }),
  })
  .strict()

export type DistillConfig = z.infer<typeof DistillConfigSchema>
