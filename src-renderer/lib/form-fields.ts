/**
 * What the run form knows about each distillation field: its label, what it means, its valid range (the
 * same bounds as @shared/config/schemas.ts, which stays the authority: the backend validates), and how it
 * is edited. The form keeps every value as the text the user typed, so a bad value reaches validation
 * unchanged and its message can name it; `fieldValue` turns text into what the config expects.
 */
import { ALGORITHMS, BACKENDS, GRIDS, LOSSES, LR_SCHEDULES, SOLVERS, WEIGHTINGS } from '@shared/config/fields'
import { DATASETS_2D } from '@shared/data/datasets2d'
import { DISTILL_DEFAULTS } from '@shared/config/defaults'
import type { DistillConfig } from '@shared/config/schemas'

export type FieldKey = keyof DistillConfig

export type FieldKind =
  /** An integer input. */
  | 'int'
  /** A real-number input. */
  | 'number'
  /** A real number or empty (= null, the automatic value). */
  | 'optional-number'
  /** Comma-separated numbers. */
  | 'number-list'
  | 'select'
  /** Free text (the teacher is picked by its own control). */
  | 'text'

export type FieldGroup = 'data' | 'method' | 'optimiser' | 'loss' | 'run'

export interface FieldMeta {
  key: FieldKey
  label: string
  /** What the field means, in one or two sentences. */
  help: string
  /** The valid range as the user reads it. */
  range: string
  kind: FieldKind
  group: FieldGroup
  options?: readonly string[]
  min?: number
  max?: number
  /** Input step for number inputs ("any" for reals). */
  step?: string
  /** Whether a branch (same checkpoint, edited hyperparameters) may change it. */
  branchable: boolean
  /** Worth a sweep axis (numeric fields only). */
  sweepable: boolean
}

export const FIELD_GROUPS: ReadonlyArray<{ id: FieldGroup; label: string }> = [
  { id: 'data', label: 'Data and teacher' },
  { id: 'method', label: 'Method' },
  { id: 'loss', label: 'Loss' },
  { id: 'optimiser', label: 'Optimiser' },
  { id: 'run', label: 'Run' },
]

const decayRange = '0 ≤ value < 1'

export const FIELDS: readonly FieldMeta[] = [
  { key: 'dataset', label: 'Dataset', help: 'The data the teacher was trained on and the student learns to sample: a built-in 2D set, or an image set imported here (Teachers view).', range: `${DATASETS_2D.join(', ')}, or an imported image dataset`, kind: 'select', options: DATASETS_2D, group: 'data', branchable: false, sweepable: false },
  { key: 'teacher', label: 'Teacher', help: 'The diffusion model to distill: the shipped teacher of a 2D dataset, or one trained or imported here (image datasets have no built-in teacher).', range: '"builtin" (2D only) or a teacher of the same dataset', kind: 'text', group: 'data', branchable: false, sweepable: false },
  { key: 'sigmaData', label: 'sigma_data', help: 'Standard deviation of the data, used by the boundary-condition scalings c_skip / c_out. The built-in sets are scaled to 0.5.', range: '0 < value ≤ 100', kind: 'number', min: 0, max: 100, step: 'any', group: 'data', branchable: false, sweepable: true },
  {
    key: 'algorithm',
    label: 'Algorithm',
    help: 'cd: faithful consistency distillation (teacher ODE step). tutorial: the walkthrough loop as written (known defects). ct: consistency training, no teacher. ict: improved CT (pseudo-Huber, lognormal levels, N curriculum, no EMA target).',
    range: ALGORITHMS.join(', '),
    kind: 'select',
    options: ALGORITHMS,
    group: 'method',
    branchable: false,
    sweepable: false,
  },
  { key: 'numScales', label: 'N (discretisation levels)', help: "Number of noise levels on the teacher's steps; adjacent levels form the training pairs. For ict, the final N of the doubling curriculum.", range: 'integer, 2 … 100000', kind: 'int', min: 2, max: 100_000, step: '1', group: 'method', branchable: true, sweepable: true },
  { key: 'grid', label: 'Level grid', help: "How the N levels are spread over the teacher's steps: uniform in step index, or Karras (rho = 7) in sigma.", range: GRIDS.join(', '), kind: 'select', options: GRIDS, group: 'method', branchable: false, sweepable: false },
  { key: 'solver', label: 'Teacher ODE solver', help: 'The solver of the teacher step between adjacent levels (cd only): DDIM/Euler, or Heun (one more teacher call, more accurate).', range: SOLVERS.join(', '), kind: 'select', options: SOLVERS, group: 'method', branchable: true, sweepable: false },
  { key: 'teacherSubsteps', label: 'Teacher substeps', help: "Solver steps the teacher takes over each hop between adjacent levels (cd only), on its own steps in between: 1 is the CD paper's single step; more give a more exact target at the cost of more teacher calls, never more student work.", range: 'integer, 1 … 64', kind: 'int', min: 1, max: 64, step: '1', group: 'method', branchable: true, sweepable: true },
  { key: 'topPairShare', label: 'Top pair share', help: 'Share of each batch drawn at the top pair (t_N-1, t_N), whose map alone makes a one-step sample; the rest draws n as the algorithm does. 0 is the papers\' uniform n (tutorial ignores it).', range: '0 … 0.9', kind: 'number', min: 0, max: 0.9, step: 'any', group: 'method', branchable: true, sweepable: true },
  { key: 'sigmaMax', label: 'Grid top sigma_max', help: "Sigma of the grid's top level, where one-step sampling starts from sigma_max z (same z as the teacher's). Empty: the teacher's last step (157 for the default teacher), as in ALGORITHM.md; 80 is the CM paper's value. The student's output at the top moves as sigma_max times its epsilon, so a lower top trains a steadier one-step map. Not below 31.6, where alphaBar = 1e-3 (tutorial has no grid and keeps it empty).", range: 'empty (teacher\'s last step) or 31.6 … the teacher\'s largest sigma', kind: 'optional-number', min: 31.6, step: 'any', group: 'method', branchable: true, sweepable: false },
  { key: 'targetEma', label: 'Target EMA decay mu', help: 'Decay of the target network inside the loss; 0 uses the online weights with stop-gradient. ict always uses 0.', range: decayRange, kind: 'number', min: 0, max: 1, step: 'any', group: 'method', branchable: true, sweepable: true },
  { key: 'evalEma', label: 'Evaluation EMA decay', help: 'Decay of the separate EMA used for sampling and evaluation (warmed up over the first steps).', range: decayRange, kind: 'number', min: 0, max: 1, step: 'any', group: 'method', branchable: true, sweepable: true },
  { key: 'multistepSigmas', label: 'Multistep sigmas', help: 'Intermediate noise levels for 2-step sampling and beyond: the second step re-noises to the first value, the third to the second, …', range: 'up to 16 values > 0, strictly decreasing, comma-separated', kind: 'number-list', group: 'method', branchable: true, sweepable: false },
  { key: 'loss', label: 'Loss', help: 'Distance between student and target outputs: squared L2, L1, or pseudo-Huber.', range: LOSSES.join(', '), kind: 'select', options: LOSSES, group: 'loss', branchable: true, sweepable: false },
  { key: 'huberC', label: 'Pseudo-Huber c', help: 'c of the pseudo-Huber loss sqrt(d² + c²) − c. Empty: 0.00054 √dim, as in iCT.', range: 'empty (automatic) or > 0', kind: 'optional-number', min: 0, step: 'any', group: 'loss', branchable: true, sweepable: true },
  { key: 'weighting', label: 'Weighting lambda', help: 'Per-pair weight of the loss: uniform (1, the CD papers) or inverse-gap (1 / (sigma_hi − sigma_lo), iCT). ict always uses inverse-gap.', range: WEIGHTINGS.join(', '), kind: 'select', options: WEIGHTINGS, group: 'loss', branchable: true, sweepable: false },
  { key: 'lr', label: 'Learning rate', help: 'Adam step size (peak value after warm-up).', range: '0 < value ≤ 1', kind: 'number', min: 0, max: 1, step: 'any', group: 'optimiser', branchable: true, sweepable: true },
  { key: 'lrSchedule', label: 'LR schedule', help: 'After warm-up: constant, or cosine decay to nearly 0 at the last step.', range: LR_SCHEDULES.join(', '), kind: 'select', options: LR_SCHEDULES, group: 'optimiser', branchable: true, sweepable: false },
  { key: 'warmupSteps', label: 'Warm-up steps', help: 'Steps of linear learning-rate warm-up from 0.', range: 'integer, 0 … steps', kind: 'int', min: 0, max: 1e8, step: '1', group: 'optimiser', branchable: true, sweepable: true },
  { key: 'batch', label: 'Batch size', help: 'Training pairs per step.', range: 'integer, 1 … 1048576', kind: 'int', min: 1, max: 1 << 20, step: '1', group: 'optimiser', branchable: true, sweepable: true },
  { key: 'steps', label: 'Training steps', help: 'Total optimisation steps (a branch continues to this step from the checkpoint).', range: 'integer, 1 … 100000000', kind: 'int', min: 1, max: 1e8, step: '1', group: 'optimiser', branchable: true, sweepable: true },
  { key: 'seed', label: 'Seed', help: 'Seed of the data, noise and initialisation streams; the same seed gives the same run.', range: 'integer, 0 … 2³² − 1', kind: 'int', min: 0, max: 2 ** 32 - 1, step: '1', group: 'run', branchable: true, sweepable: true },
  { key: 'backend', label: 'Backend', help: 'tfjs backend: auto tries node-gpu, node, wasm, then cpu.', range: BACKENDS.join(', '), kind: 'select', options: BACKENDS, group: 'run', branchable: true, sweepable: false },
  { key: 'evalEvery', label: 'Evaluation interval', help: 'Steps between full evaluations during training; 0 evaluates only at the end.', range: 'integer, 0 … 100000000', kind: 'int', min: 0, max: 1e8, step: '1', group: 'run', branchable: true, sweepable: false },
  { key: 'sampleEvery', label: 'Preview interval', help: 'Steps between live sample previews (the student at 1 and 2 steps from the fixed preview noise, with their sliced Wasserstein); 0 draws none.', range: 'integer, 0 … 100000000', kind: 'int', min: 0, max: 1e8, step: '1', group: 'run', branchable: true, sweepable: false },
  { key: 'checkpointEvery', label: 'Checkpoint interval', help: 'Steps between checkpoints (resume and branch start from the last one); 0 keeps only the final one.', range: 'integer, 0 … 100000000', kind: 'int', min: 0, max: 1e8, step: '1', group: 'run', branchable: true, sweepable: false },
  { key: 'evalSamples', label: 'Evaluation samples', help: 'Samples drawn per model and NFE for the quality metrics (SWD, energy, MMD).', range: 'integer, 16 … 100000', kind: 'int', min: 16, max: 100_000, step: '1', group: 'run', branchable: true, sweepable: false },
]

const BY_KEY = new Map(FIELDS.map((f) => [f.key as string, f]))

export function fieldMeta(key: string): FieldMeta | undefined {
  return BY_KEY.get(key)
}

export function fieldLabel(key: string): string {
  return BY_KEY.get(key)?.label ?? key
}

/** Fields a branch may change (dataset, algorithm, grid, sigma_data and teacher stay the parent's). */
export const BRANCHABLE_KEYS: readonly FieldKey[] = FIELDS.filter((f) => f.branchable).map((f) => f.key)

export const SWEEPABLE_KEYS: readonly FieldKey[] = FIELDS.filter((f) => f.sweepable).map((f) => f.key)

/** Form text of a config value. */
export function fieldText(meta: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return ''
  if (meta.kind === 'number-list' && Array.isArray(value)) return value.join(', ')
  return String(value)
}

/** A number from form text, or null when the text is not one number (empty, "abc", "1e"). */
export function parseNumber(text: string): number | null {
  const t = text.trim()
  if (t === '') return null
  const n = Number(t)
  return Number.isFinite(n) ? n : null
}

/**
 * The config value of form text. Text that is not a number is passed on as typed, so validation rejects
 * it with a message that names it ("N must be a number (got "abc")").
 */
export function fieldValue(meta: FieldMeta, text: string): unknown {
  switch (meta.kind) {
    case 'int':
    case 'number':
      return parseNumber(text) ?? text
    case 'optional-number':
      return text.trim() === '' ? null : (parseNumber(text) ?? text)
    case 'number-list': {
      const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '')
      return parts.map((p) => parseNumber(p) ?? p)
    }
    default:
      return text
  }
}

/** The form texts of a (partial) config, over the defaults. */
export function textsOf(config: Partial<Record<string, unknown>>, base: Record<string, unknown> = DISTILL_DEFAULTS): Record<string, string> {
  const out: Record<string, string> = {}
  for (const meta of FIELDS) out[meta.key] = fieldText(meta, meta.key in config ? config[meta.key] : base[meta.key])
  return out
}

/** The config of form texts (every known field). */
export function configOf(texts: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const meta of FIELDS) {
    const text = texts[meta.key]
    if (text !== undefined) out[meta.key] = fieldValue(meta, text)
  }
  return out
}

/** The top-level field a validation problem is about (`multistepSigmas.1` → `multistepSigmas`). */
export function problemField(field: string): string {
  const top = field.split('.')[0] ?? field
  return BY_KEY.has(top) ? top : '(config)'
}
