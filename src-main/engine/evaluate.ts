/**
 * Evaluation, the same code for every run: distances to held-out data for the data-vs-data floor, the
 * teacher at K = 1, 10, 100 steps and the student at 1..(1 + multistep sigmas) steps, all from one stored
 * seeded noise; teacher–student agreement; NFE and milliseconds per sample.
 */
import { energyAndMmd, meanPairedDistance, slicedWasserstein, type PointSet } from '@shared/cd/metrics'
import {
  offSupportShare,
  SUPPORT_K,
  supportMetricsAgainst,
  supportReference,
  type SupportReference,
} from '@shared/cd/support-metrics'
import type { EvalRow, Scores } from '@shared/cd/evaluation'
import { nearestLevel } from '@shared/cd/schedule'
import type { Solver } from '@shared/config/fields'
import { Rng } from '@shared/rng'
import type { DataSource } from './data-source'
import type { FeatureSpace } from './feature-space'
import { featureStatistics, frechetDistance, type FeatureStatistics } from './frechet'
import { consistencySample, teacherSample, type SampleResult } from './samplers'
import type { TeacherModel } from './teacher-model'
import type { EpsWeights } from './weights'

/** Streams of the run seed used for evaluation noise (training uses STREAM_TRAIN). */
export const STREAM_EVAL_NOISE = 11
export const STREAM_EVAL_RENOISE = 12
export { STREAM_DATA_FLOOR } from './data-source'

export const TEACHER_EVAL_STEPS = [1, 10, 100] as const

export type { EvalRow, Scores }

export interface EvalNoise {
  /** x_T = sigmaMax * noise, n rows. */
  noise: Float32Array
  /** One fresh draw per extra consistency step. */
  renoise: Float32Array[]
}

export function evaluationNoise(seed: number, n: number, dim: number, extraSteps: number): EvalNoise {
  const rng = Rng.fromSeed(seed, STREAM_EVAL_NOISE)
  const renoiseRng = Rng.fromSeed(seed, STREAM_EVAL_RENOISE)
  return {
    noise: rng.normals(n * dim),
    renoise: Array.from({ length: extraSteps }, () => renoiseRng.normals(n * dim)),
  }
}

/**
 * Energy distance and MMD cost n^2 * dim: for 2000 images of 784 values that is ~16 s per row of the table.
 * Above this many values per row they use the first PAIRWISE_ROWS rows of each set (every row of the
 * evaluation the same ones, so figures stay comparable); the sliced Wasserstein uses every row.
 */
export const PAIRWISE_FULL_MAX_DIM = 64
export const PAIRWISE_ROWS = 1000

export function score(points: Float32Array, reference: PointSet): Scores {
  const set = { points, dim: reference.dim }
  const swd = slicedWasserstein(set, reference)
  if (reference.dim <= PAIRWISE_FULL_MAX_DIM) return { swd, ...energyAndMmd(set, reference) }
  const head = (p: Float32Array) => ({
    points: p.subarray(0, Math.min(p.length, PAIRWISE_ROWS * reference.dim)),
    dim: reference.dim,
  })
  return { swd, ...energyAndMmd(head(points), head(reference.points)) }
}

/** A feature space with the held-out images' statistics in it, for Fréchet distances. */
export interface FeatureReference {
  space: FeatureSpace
  heldOut: FeatureStatistics
}

/**
 * Precision, recall, density and coverage are exact k-NN counts, O(rows^2): they use the first SUPPORT_ROWS
 * rows of each set (the same rows in every evaluation), ~0.15 s per table row in 2D and ~2 s in the
 * classifier's 64 features at 4000.
 */
export const SUPPORT_ROWS = 4000

function head(points: Float32Array, dim: number, rows: number): Float32Array {
  return points.subarray(0, Math.min(points.length, rows * dim))
}

/** Where samples are scored for support: data space (2D) or the classifier's features (images). */
interface SupportSpace {
  reference: SupportReference
  /** The held-out points the off-support grid is laid over (2D only). */
  grid: Float32Array | null
}

function supportSpace(points: Float32Array, dim: number, twoD: boolean): SupportSpace | null {
  const real = head(points, dim, SUPPORT_ROWS)
  if (real.length / dim <= SUPPORT_K) return null
  return { reference: supportReference(real, dim), grid: twoD ? real : null }
}

function supportScores(space: SupportSpace | null, points: Float32Array): Partial<Scores> {
  if (!space) return {}
  const fake = head(points, space.reference.dim, SUPPORT_ROWS)
  if (fake.length / space.reference.dim <= SUPPORT_K) return {}
  return {
    ...supportMetricsAgainst(space.reference, fake),
    ...(space.grid ? { offSupport: offSupportShare(space.grid, fake) } : {}),
  }
}

export interface TeacherReference {
  rows: EvalRow[]
  /** Image runs with a classifier: every row also gets a Fréchet distance. */
  features: FeatureReference | null
  /** 2D runs and image runs with a classifier: every row also gets precision, recall, density, coverage. */
  support: SupportSpace | null
  /** The teacher's K = 100 solution from the shared noise: the agreement target and `teacher-k100.csv`. */
  k100: Float32Array
  heldOut: Float32Array
}

/** The parts of an evaluation that do not change during a run: computed once. */
export async function teacherReference(
  teacher: TeacherModel,
  data: DataSource,
  seed: number,
  noise: EvalNoise,
  solver: Solver,
  onProgress?: (done: number, total: number) => void,
  featureSpace?: FeatureSpace,
): Promise<TeacherReference> {
  const dim = teacher.architecture.dim
  const n = noise.noise.length / dim
  const heldOut = data.heldOut(n, seed)
  const reference = { points: heldOut, dim }
  const heldOutRows = heldOut.length / dim
  let features: FeatureReference | null = null
  let support: SupportSpace | null = null
  if (featureSpace) {
    // One feature pass of the held-out images serves the Fréchet statistics and the support metrics.
    const heldOutFeatures = await featureSpace.features(heldOut, heldOutRows)
    features = {
      space: featureSpace,
      heldOut: featureStatistics(heldOutFeatures, heldOutRows, featureSpace.dim),
    }
    support = supportSpace(heldOutFeatures, featureSpace.dim, false)
  } else if (dim === 2) {
    support = supportSpace(heldOut, dim, true)
  }
  const floor = data.floor(n, seed)
  const rows: EvalRow[] = [
    {
      model: 'data',
      nfe: 0,
      msPerSample: 0,
      ...score(floor, reference),
      ...(await featureScores(floor, n, features, support)),
    },
  ]
  let k100: Float32Array = new Float32Array(0)
  const teacherSets: Float32Array[] = []
  for (const [i, K] of TEACHER_EVAL_STEPS.entries()) {
    const result = await teacherSample(teacher.weights, teacher.architecture, teacher.schedule, noise.noise, K, solver)
    rows.push(await row('teacher', result, n, reference, features, support))
    teacherSets.push(result.points)
    if (K === 100) k100 = result.points
    onProgress?.(i + 1, TEACHER_EVAL_STEPS.length)
  }
  // How far the teacher's K-step solution is from its own K = 100 one: the teacher's curve of the
  // agreement-vs-NFE plot the students are drawn against.
  teacherSets.forEach((points, i) => {
    const teacherRow = rows[i + 1] as EvalRow
    teacherRow.agreement = meanPairedDistance({ points, dim }, { points: k100, dim })
  })
  return { rows, k100, heldOut, features, support }
}

/** Fréchet distance (images) and support metrics (2D in data space, images in the classifier's features). */
async function featureScores(
  points: Float32Array,
  n: number,
  features: FeatureReference | null,
  support: SupportSpace | null,
): Promise<Partial<Scores>> {
  if (!features) return supportScores(support, points)
  const sampleFeatures = await features.space.features(points, n)
  return {
    fd: frechetDistance(featureStatistics(sampleFeatures, n, features.space.dim), features.heldOut),
    ...supportScores(support, sampleFeatures),
  }
}

async function row(
  model: EvalRow['model'],
  result: SampleResult,
  n: number,
  reference: PointSet,
  features: FeatureReference | null,
  support: SupportSpace | null,
): Promise<EvalRow> {
  return {
    model,
    nfe: result.nfe,
    msPerSample: result.ms / n,
    ...score(result.points, reference),
    ...(await featureScores(result.points, n, features, support)),
  }
}

export interface StudentEvaluation {
  rows: EvalRow[]
  /** Student samples by NFE (1, 2, ...). */
  samples: Map<number, Float32Array>
  /** Mean distance between the student's one-step f(x_T) and the teacher's K = 100 solution. */
  agreement: number
}

/** The top of a trained grid, where the one-step sampler starts. */
export function topOf(trainedSteps: readonly number[]): number {
  const top = trainedSteps[trainedSteps.length - 1]
  if (top === undefined) throw new Error('a student needs at least one trained level')
  return top
}

/** The NFEs a student is evaluated at: 1, 2, 4 and 8 steps, and every count when few sigmas are given. */
export function studentEvalNfes(multistepSigmas: number): number[] {
  const nfes: number[] = []
  for (let nfe = 1; nfe <= multistepSigmas + 1; nfe++)
    if (nfe <= 2 || nfe === 4 || nfe === 8 || nfe === multistepSigmas + 1) nfes.push(nfe)
  return nfes
}

export async function evaluateStudent(
  weights: EpsWeights,
  teacher: TeacherModel,
  reference: TeacherReference,
  noise: EvalNoise,
  multistepSigmas: number[],
  sigmaData: number,
  withBoundary: boolean,
  /** Teacher steps the student was trained on; multistep re-noise levels snap to these. */
  trainedSteps: readonly number[],
  /** Rows measured of the total (studentEvalNfes), after each (#19: the final evaluation's progress). */
  onProgress?: (done: number, total: number) => void,
): Promise<StudentEvaluation> {
  const dim = teacher.architecture.dim
  const n = noise.noise.length / dim
  const referenceSet = { points: reference.heldOut, dim }
  const rows: EvalRow[] = []
  const samples = new Map<number, Float32Array>()
  const nfes = studentEvalNfes(multistepSigmas.length)
  for (const nfe of nfes) {
    const extra = nfe - 1
    const levels = multistepSigmas.slice(0, extra).map((tau) => nearestLevel(teacher.schedule, trainedSteps, tau))
    const result = await consistencySample(
      weights,
      teacher.architecture,
      teacher.schedule,
      noise.noise,
      noise.renoise,
      levels,
      sigmaData,
      withBoundary,
      topOf(trainedSteps),
    )
    // Agreement at every NFE (not only one step), so it can be drawn against NFE like the distances.
    rows.push({
      ...(await row('student', result, n, referenceSet, reference.features, reference.support)),
      agreement: meanPairedDistance({ points: result.points, dim }, { points: reference.k100, dim }),
    })
    samples.set(nfe, result.points)
    onProgress?.(rows.length, nfes.length)
  }
  const oneStep = samples.get(1) as Float32Array
  const agreement = meanPairedDistance({ points: oneStep, dim }, { points: reference.k100, dim })
  return { rows, samples, agreement }
}
