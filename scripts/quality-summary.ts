/**
 * The one table `npm run quality` ends with: per dataset and seed, the data floor, the teacher (DDIM-100)
 * and the student at one and two steps against held-out data, and whether issue 17's goals are met: the
 * student's, and the teacher's own.
 */
import type { EvalRow } from '@shared/cd/evaluation'
import { TEACHER_QUALITY_GOAL } from '@shared/store/teacher-quality'

/** Issue 17's goal for the default preset after 3000 steps (two seeds, five 2D sets). */
export const QUALITY_GOAL = {
  oneStepPrecision: 0.85,
  oneStepRecall: 0.9,
  twoStepPrecision: 0.9,
  /** One-step SWD over the teacher's 100-step figure. */
  swdRatio: 2.5,
} as const

type Support = Pick<EvalRow, 'precision' | 'recall' | 'offSupport' | 'swd'>

export interface QualityRow {
  dataset: string
  seed: number
  steps: number
  floor: Support
  teacher: Support
  nfe1: Support
  nfe2: Support
}

/** The parts of the goal a row misses, in words; empty when it meets all of them. */
export function missedGoals(row: QualityRow): string[] {
  const missed: string[] = []
  if (below(row.nfe1.precision, QUALITY_GOAL.oneStepPrecision))
    missed.push(`one-step precision ${fixed(row.nfe1.precision)} < ${QUALITY_GOAL.oneStepPrecision}`)
  if (below(row.nfe1.recall, QUALITY_GOAL.oneStepRecall))
    missed.push(`one-step recall ${fixed(row.nfe1.recall)} < ${QUALITY_GOAL.oneStepRecall}`)
  if (below(row.nfe2.precision, QUALITY_GOAL.twoStepPrecision))
    missed.push(`two-step precision ${fixed(row.nfe2.precision)} < ${QUALITY_GOAL.twoStepPrecision}`)
  const ratio = row.nfe1.swd / row.teacher.swd
  if (!(ratio <= QUALITY_GOAL.swdRatio)) missed.push(`SWD ${ratio.toFixed(2)}x > ${QUALITY_GOAL.swdRatio}x`)
  return missed
}

/** The parts of the teacher's own goal (DDIM-100, TEACHER_QUALITY_GOAL) its row misses, in words. */
export function missedTeacherGoal(row: QualityRow): string[] {
  const { precision, recall, offSupport } = row.teacher
  const missed: string[] = []
  if (below(precision, TEACHER_QUALITY_GOAL.precision))
    missed.push(`teacher precision ${fixed(precision)} < ${TEACHER_QUALITY_GOAL.precision}`)
  if (below(recall, TEACHER_QUALITY_GOAL.recall))
    missed.push(`teacher recall ${fixed(recall)} < ${TEACHER_QUALITY_GOAL.recall}`)
  if (offSupport === undefined || !(offSupport <= TEACHER_QUALITY_GOAL.offSupport))
    missed.push(
      `teacher off-support ${offSupport === undefined ? '-' : `${(100 * offSupport).toFixed(1)}%`} > ${100 * TEACHER_QUALITY_GOAL.offSupport}%`,
    )
  return missed
}

/** A missing or non-finite figure misses its bound, as a low one does. */
function below(v: number | undefined, min: number): boolean {
  return v === undefined || !(v >= min)
}

function fixed(v: number | undefined, digits = 3): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits)
}

/** precision / recall / off-support of one model. */
function cell(s: Support): string {
  const off = s.offSupport === undefined ? '-' : `${(100 * s.offSupport).toFixed(1)}%`
  return `${fixed(s.precision)} ${fixed(s.recall)} ${off.padStart(6)}`
}

export function qualityTable(rows: readonly QualityRow[]): string {
  const head = [
    'dataset'.padEnd(13),
    'seed',
    'steps',
    'floor P  R     off'.padEnd(20),
    'teacher P  R   off'.padEnd(20),
    'NFE 1 P  R     off'.padEnd(20),
    'SWD/teacher',
    'NFE 2 P',
    'goal',
  ].join(' ')
  const lines = rows.map((r) => {
    const missed = [...missedGoals(r), ...missedTeacherGoal(r)]
    return [
      r.dataset.padEnd(13),
      String(r.seed).padStart(4),
      String(r.steps).padStart(5),
      cell(r.floor).padEnd(20),
      cell(r.teacher).padEnd(20),
      cell(r.nfe1).padEnd(20),
      `${(r.nfe1.swd / r.teacher.swd).toFixed(2)}x`.padStart(11),
      fixed(r.nfe2.precision).padStart(7),
      missed.length === 0 ? 'met' : `missed: ${missed.join('; ')}`,
    ].join(' ')
  })
  return [head, ...lines].join('\n')
}
