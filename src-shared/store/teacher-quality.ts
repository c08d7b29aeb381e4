/**
 * A teacher's quality against held-out data (#17): precision, recall and sliced Wasserstein of its samples at
 * K = 1, 10, 100 steps, beside the data-vs-data floor, and a thumbnail of its 100-step samples. Stored with
 * the teacher so a teacher that has not learned its data (a filled square for a checkerboard) is seen before
 * a distillation copies it.
 */

import { SAMPLER_STEP_SPACING } from '../cd/schedule'

/** A teacher's figures at one step count. */
export interface TeacherQualityRow {
  /** Teacher steps K (1, 10, 100). */
  steps: number
  /** Network evaluations per sample (K for DDIM, about 2K for Heun). */
  nfe: number
  precision: number
  recall: number
  swd: number
  /** 2D: share of samples in cells of the 16 x 16 grid over the data's box that hold no data. */
  offSupport?: number
}

export interface TeacherQuality {
  /** When measured (ms since the epoch). */
  measuredAt: number
  /** Samples per row, and held-out points they were measured against. */
  samples: number
  /** The ODE solver of the rows (`ddim` when measured for the teacher list; a teacher run's own otherwise). */
  solver: string
  /**
   * How the K steps were spread over the teacher's T and where they end (`samplerSteps`). Figures measured
   * before 2026-12-05 (uniform steps ending at step 0) have none and read as not measured: they differ.
   */
  stepSpacing: typeof SAMPLER_STEP_SPACING
  /** Held-out data against a second draw of data: the best reachable. */
  floor: Omit<TeacherQualityRow, 'steps' | 'nfe'>
  /** K = 1, 10, 100, in that order. */
  rows: TeacherQualityRow[]
  /** 2D: the first THUMBNAIL_POINTS of the K = 100 samples, interleaved x0, y0, x1, y1, … (empty for images). */
  thumbnail: number[]
  /** Teacher steps of the thumbnail's samples when not 100 (a teacher run keeps only its 20-step previews). */
  thumbnailSteps?: number
  /** The weights measured: a re-made teacher (new weights, same path) reads as not measured. */
  checkpoint?: { bytes: number; sha256: string }
}

/** Samples a teacher's evaluation draws when its job names no other number (`--eval-samples`). */
export const DEFAULT_TEACHER_EVAL_SAMPLES = 4000

/** Points of the 100-step samples kept for the thumbnail. */
export const THUMBNAIL_POINTS = 1000

/**
 * Issue 17's goal for the built-in teachers: DDIM-100 samples against held-out data (4000 samples) at least
 * this precise and this complete, with at most this share off the data's support.
 */
export const TEACHER_QUALITY_GOAL = { precision: 0.96, recall: 0.96, offSupport: 0.03 } as const

/** Below this K = 100 precision a distillation from the teacher is warned about. */
export const TEACHER_PRECISION_WARNING = 0.9

/** The K-step row (K = 100 by default), if measured. */
export function qualityAt(quality: TeacherQuality | null | undefined, steps = 100): TeacherQualityRow | undefined {
  return quality?.rows.find((r) => r.steps === steps)
}

/**
 * The warning for a distillation from this teacher, or null when its K = 100 precision is at least
 * TEACHER_PRECISION_WARNING (or unmeasured: nothing to say then).
 */
export function teacherWarning(quality: TeacherQuality | null | undefined): string | null {
  return precisionWarning(qualityAt(quality)?.precision, quality?.floor.precision, '')
}

/**
 * The same warning from a distillation's own evaluation (its teacher K = 100 and data floor precision): a
 * teacher given by file path has no stored figures, so the run's evaluation is the first to measure it.
 */
export function evaluatedTeacherWarning(
  teacherPrecision: number | undefined,
  floorPrecision: number | undefined,
): string | null {
  return precisionWarning(teacherPrecision, floorPrecision, ", measured by this run's evaluation")
}

function precisionWarning(precision: number | undefined, floor: number | undefined, source: string): string | null {
  if (precision === undefined || !(precision < TEACHER_PRECISION_WARNING)) return null
  const data = floor === undefined ? '' : `; held-out data ${floor.toFixed(2)}`
  return (
    `the teacher's 100-step precision is ${precision.toFixed(2)} (below ${TEACHER_PRECISION_WARNING}${data})` +
    `${source}: the student can at best copy the teacher's errors`
  )
}

/**
 * Checks a parsed quality file; null when it is not one (an older or damaged file, or one measured with other
 * sampler steps, is treated as unmeasured).
 */
export function asTeacherQuality(value: unknown): TeacherQuality | null {
  if (typeof value !== 'object' || value === null) return null
  const q = value as Partial<TeacherQuality>
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
  const rowOk = (r: unknown) => {
    const row = r as Partial<TeacherQualityRow> | null
    return row !== null && typeof row === 'object' && finite(row.precision) && finite(row.recall) && finite(row.swd)
  }
  if (!finite(q.measuredAt) || !finite(q.samples) || typeof q.solver !== 'string') return null
  if (q.stepSpacing !== SAMPLER_STEP_SPACING) return null
  if (!rowOk(q.floor) || !Array.isArray(q.rows) || !q.rows.every((r) => rowOk(r) && finite(r.steps) && finite(r.nfe)))
    return null
  if (!Array.isArray(q.thumbnail) || !q.thumbnail.every(finite)) return null
  return q as TeacherQuality
}
