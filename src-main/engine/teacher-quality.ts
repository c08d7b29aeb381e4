/**
 * Measures a 2D teacher against held-out data (#17): its DDIM samples at K = 1, 10, 100 steps from one fixed
 * noise, scored by k-NN precision and recall, the off-support share and the sliced Wasserstein, beside the
 * data-vs-data floor, plus a thumbnail of the 100-step samples. Needs tfjs (the samplers); the figures are
 * stored with the teacher (files/teacher-quality-file.ts) so listing teachers never samples.
 */
import { slicedWasserstein } from '@shared/cd/metrics'
import { SAMPLER_STEP_SPACING } from '@shared/cd/schedule'
import { offSupportShare, supportMetricsAgainst, supportReference } from '@shared/cd/support-metrics'
import type { Solver } from '@shared/config/fields'
import type { Dataset2D } from '@shared/data/datasets2d'
import { THUMBNAIL_POINTS, type TeacherQuality, type TeacherQualityRow } from '@shared/store/teacher-quality'
import { dataSource2D } from './data-source'
import { evaluationNoise, SUPPORT_ROWS, TEACHER_EVAL_STEPS } from './evaluate'
import { teacherSample } from './samplers'
import type { TeacherModel } from './teacher-model'

export interface TeacherQualityOptions {
  /** Samples per row and held-out points (the goal is stated at 4000). */
  samples?: number
  seed?: number
  solver?: Solver
  now?: number
}

export const TEACHER_QUALITY_SAMPLES = 4000

export async function measureTeacherQuality(
  teacher: TeacherModel,
  dataset: Dataset2D,
  options: TeacherQualityOptions = {},
): Promise<TeacherQuality> {
  const n = Math.min(options.samples ?? TEACHER_QUALITY_SAMPLES, SUPPORT_ROWS)
  const seed = options.seed ?? 0
  const solver = options.solver ?? 'ddim'
  const data = dataSource2D(dataset)
  const heldOut = data.heldOut(n, seed)
  const reference = supportReference(heldOut, 2)
  const score = (points: Float32Array) => {
    const { precision, recall } = supportMetricsAgainst(reference, points)
    return {
      precision,
      recall,
      swd: slicedWasserstein({ points, dim: 2 }, { points: heldOut, dim: 2 }),
      offSupport: offSupportShare(heldOut, points),
    }
  }
  const noise = evaluationNoise(seed, n, 2, 0).noise
  let thumbnail: number[] = []
  const rows: TeacherQualityRow[] = []
  for (const steps of TEACHER_EVAL_STEPS) {
    const result = await teacherSample(teacher.weights, teacher.architecture, teacher.schedule, noise, steps, solver)
    if (steps === 100) thumbnail = Array.from(result.points.subarray(0, 2 * THUMBNAIL_POINTS))
    rows.push({ steps, nfe: result.nfe, ...score(result.points) })
  }
  return {
    measuredAt: options.now ?? Date.now(),
    samples: n,
    solver,
    stepSpacing: SAMPLER_STEP_SPACING,
    floor: score(data.floor(n, seed)),
    rows,
    thumbnail,
  }
}
