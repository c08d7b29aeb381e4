/**
 * Live sample previews: small sample sets drawn during training from one fixed noise (the same for every
 * run, whatever its seed), so the UI can show runs side by side at the same step from the same x_T, plus
 * cheap quality figures (sliced Wasserstein and, in 2D, k-NN precision at NFE 1 and 2) for the
 * quality-over-training curves. The full evaluation (evaluate.ts) stays the authority for final figures.
 */
import { slicedWasserstein } from '@shared/cd/metrics'
import { supportMetricsAgainst, supportReference, type SupportReference } from '@shared/cd/support-metrics'
import { nearestLevel } from '@shared/cd/schedule'
import { PREVIEW_NOISE_SEED } from '@shared/store/types'
import type { DataShape, DataSource } from './data-source'
import { evaluationNoise, topOf, type EvalNoise } from './evaluate'
import { consistencySample, teacherSample } from './samplers'
import type { TeacherModel } from './teacher-model'
import type { EpsWeights } from './weights'

/** Points per 2D preview set: enough to see the shape, cheap enough to draw every few hundred steps. */
export const PREVIEW_SAMPLES = 1000
/** Held-out points the 2D preview SWD is measured against. */
export const PREVIEW_REFERENCE = 4000
/** Images per preview set (an 8 x 8 grid) and held-out images for their SWD: a U-Net call costs ~1000x an MLP's. */
export const IMAGE_PREVIEW_SAMPLES = 64
export const IMAGE_PREVIEW_REFERENCE = 512

export function previewSizes(data: DataShape): { samples: number; reference: number } {
  return data.image
    ? { samples: IMAGE_PREVIEW_SAMPLES, reference: IMAGE_PREVIEW_REFERENCE }
    : { samples: PREVIEW_SAMPLES, reference: PREVIEW_REFERENCE }
}
/** Teacher steps for its preview (DDIM), as in the final evaluation's reference. */
export const PREVIEW_TEACHER_STEPS = 100
/** Teacher steps for the previews while a teacher trains: cheaper, and enough to see the shape form. */
export const TRAINING_PREVIEW_TEACHER_STEPS = 20

export type PreviewModel = 'data' | 'teacher' | 'student'

export interface PreviewSet {
  model: PreviewModel
  nfe: number
  points: Float32Array
  /**
   * 2D sets of the model being trained: k-NN precision against the held-out reference (#17), which sees a
   * filled-in gap that the sliced Wasserstein misses. Image previews are too few samples for it.
   */
  precision?: number
}

export interface StudentPreview {
  sets: PreviewSet[]
  /** Sliced Wasserstein to held-out data by NFE. */
  swd: Map<number, number>
}

/** How the student turns into samples: its run's settings. */
export interface StudentSampling {
  /** The re-noise level of the two-step sample; none = one step only. */
  secondStepSigma: number | undefined
  sigmaData: number
  withBoundary: boolean
}

export class Previewer {
  readonly noise: EvalNoise
  private readonly heldOut: Float32Array
  private readonly dim: number
  private readonly samples: number
  /** The held-out reference's k-NN radii, computed once (2D only). */
  private readonly support: SupportReference | null

  constructor(
    private readonly teacher: TeacherModel,
    data: DataSource,
  ) {
    this.dim = teacher.architecture.dim
    const sizes = previewSizes(data)
    this.samples = sizes.samples
    this.noise = evaluationNoise(PREVIEW_NOISE_SEED, sizes.samples, this.dim, 1)
    this.heldOut = data.heldOut(sizes.reference, PREVIEW_NOISE_SEED)
    this.support = data.image ? null : supportReference(this.heldOut, this.dim)
  }

  private scored(model: PreviewModel, nfe: number, points: Float32Array): PreviewSet {
    if (!this.support) return { model, nfe, points }
    return { model, nfe, points, precision: supportMetricsAgainst(this.support, points).precision }
  }

  /** What does not change during a run: the held-out data and the teacher's K-step samples. */
  async reference(): Promise<PreviewSet[]> {
    const teacher = await teacherSample(
      this.teacher.weights,
      this.teacher.architecture,
      this.teacher.schedule,
      this.noise.noise,
      PREVIEW_TEACHER_STEPS,
      'ddim',
    )
    return [this.data(), { model: 'teacher', nfe: teacher.nfe, points: teacher.points }]
  }

  /** The teacher being trained, sampled with K DDIM steps, and its sliced Wasserstein. */
  async teacherAt(numSteps: number): Promise<StudentPreview> {
    const result = await teacherSample(
      this.teacher.weights,
      this.teacher.architecture,
      this.teacher.schedule,
      this.noise.noise,
      numSteps,
      'ddim',
    )
    const swd = slicedWasserstein({ points: result.points, dim: this.dim }, { points: this.heldOut, dim: this.dim })
    return { sets: [this.scored('teacher', result.nfe, result.points)], swd: new Map([[result.nfe, swd]]) }
  }

  /** The held-out data set alone (a teacher run's background). */
  data(): PreviewSet {
    return { model: 'data', nfe: 0, points: this.heldOut.slice(0, this.samples * this.dim) }
  }

  /** The student (evaluation EMA) at one step, and at two when a second-step sigma is configured. */
  async student(
    weights: EpsWeights,
    trainedSteps: readonly number[],
    sampling: StudentSampling,
  ): Promise<StudentPreview> {
    const { architecture, schedule } = this.teacher
    const levelSets: number[][] = [[]]
    if (sampling.secondStepSigma !== undefined)
      levelSets.push([nearestLevel(schedule, trainedSteps, sampling.secondStepSigma)])
    const sets: PreviewSet[] = []
    const swd = new Map<number, number>()
    const reference = { points: this.heldOut, dim: this.dim }
    for (const levels of levelSets) {
      const result = await consistencySample(
        weights,
        architecture,
        schedule,
        this.noise.noise,
        this.noise.renoise,
        levels,
        sampling.sigmaData,
        sampling.withBoundary,
        topOf(trainedSteps),
      )
      sets.push(this.scored('student', result.nfe, result.points))
      swd.set(result.nfe, slicedWasserstein({ points: result.points, dim: this.dim }, reference))
    }
    return { sets, swd }
  }
}
