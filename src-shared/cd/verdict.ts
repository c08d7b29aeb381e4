/**
 * A run that ends without an error can still have gone wrong: its samples far from the data, or its loss
 * blown up. Such a run is `finished` with the verdict `diverged`, judged once when it finishes from its final
 * evaluation and its loss curve, and stored with it (runs stored before verdicts existed have none).
 */

export const RUN_VERDICTS = ['diverged'] as const
export type RunVerdict = (typeof RUN_VERDICTS)[number]

/**
 * A student whose sliced Wasserstein distance (at any NFE) is more than this many times the teacher's with a
 * single step is no distillation of it: the teacher's own one-step sample is the crudest sample it makes.
 */
export const DIVERGED_QUALITY_FACTOR = 10

/**
 * A loss whose level at the end is this many times its level at the start grew by orders of magnitude. Three
 * orders, not one: a curriculum that refines the grid (iCT) changes the weighted loss's scale by itself.
 */
export const DIVERGED_LOSS_FACTOR = 1000

/** The share of the logged losses (first and last) whose median is a level of the curve. */
const LOSS_LEVEL_SHARE = 0.1

export interface VerdictRow {
  model: string
  nfe: number
  swd: number
}

export interface VerdictInput {
  /** The final evaluation's rows (the `data` floor, `teacher` and `student` rows); empty when there is none. */
  rows: readonly VerdictRow[]
  /** The logged training losses in step order (may be empty). */
  losses: readonly number[]
}

export interface Verdict {
  verdict: RunVerdict
  /** Why, in words with the figures, e.g. "one-step sliced W 790 is 269x the teacher's one-step 2.94". */
  reason: string
}

/** The verdict on a finished run, or null when nothing says it went wrong. */
export function judgeRun(input: VerdictInput): Verdict | null {
  return qualityVerdict(input.rows) ?? lossVerdict(input.losses)
}

function qualityVerdict(rows: readonly VerdictRow[]): Verdict | null {
  const students = rows.filter((r) => r.model === 'student').sort((a, b) => a.nfe - b.nfe)
  const broken = students.find((r) => !Number.isFinite(r.swd))
  if (broken) return { verdict: 'diverged', reason: `the ${steps(broken.nfe)} sliced W is ${broken.swd}` }
  // The teacher's fewest-step row: one step wherever the final evaluation measures it.
  const teacher = rows
    .filter((r) => r.model === 'teacher' && Number.isFinite(r.swd) && r.swd > 0)
    .sort((a, b) => a.nfe - b.nfe)[0]
  if (!teacher) return null
  const limit = DIVERGED_QUALITY_FACTOR * teacher.swd
  // The fewest steps over the limit are named: the one-step figure whenever it is one of them.
  const over = students.find((r) => r.swd > limit)
  if (!over) return null
  return {
    verdict: 'diverged',
    reason:
      `the ${steps(over.nfe)} sliced W ${figure(over.swd)} is ${figure(over.swd / teacher.swd)}x ` +
      `the teacher's ${steps(teacher.nfe)} ${figure(teacher.swd)} (more than ${DIVERGED_QUALITY_FACTOR}x)`,
  }
}

function lossVerdict(losses: readonly number[]): Verdict | null {
  if (losses.length === 0) return null
  const last = losses[losses.length - 1] as number
  if (!Number.isFinite(last)) return { verdict: 'diverged', reason: `the last loss is ${last}` }
  if (losses.length < 2) return null
  const n = Math.max(1, Math.floor(losses.length * LOSS_LEVEL_SHARE))
  const start = median(losses.slice(0, n))
  const end = median(losses.slice(-n))
  if (!(start > 0) || end <= DIVERGED_LOSS_FACTOR * start) return null
  return {
    verdict: 'diverged',
    reason: `the loss grew ${figure(end / start)}x, from ${figure(start)} to ${figure(end)} (more than ${DIVERGED_LOSS_FACTOR}x)`,
  }
}

function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (finite.length === 0) return Number.NaN
  const mid = Math.floor(finite.length / 2)
  return finite.length % 2 === 1 ? (finite[mid] as number) : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2
}

function steps(nfe: number): string {
  return nfe === 1 ? 'one-step' : `${nfe}-step`
}

/** Three significant digits, in exponent form outside [1e-3, 1e5). */
function figure(value: number): string {
  const abs = Math.abs(value)
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return value.toExponential(2)
  return String(Number(value.toPrecision(3)))
}
