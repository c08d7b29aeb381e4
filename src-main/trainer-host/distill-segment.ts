/**
 * A distillation between two pauses, as the training loop steps it: the Distiller (after a pause it is
 * rebuilt from the checkpoint's bytes, exactly as a resume in a new process would see it), the teacher
 * reference it is scored against (computed on first use), its evaluations and its student previews.
 */
import type { DistillConfig } from '@shared/config/schemas'
import type { TargetSideOffload } from '../engine/cd-target-side'
import type { DataSource } from '../engine/data-source'
import { Distiller, type StepResult } from '../engine/distiller'
import {
  evaluateStudent,
  evaluationNoise,
  studentEvalNfes,
  TEACHER_EVAL_STEPS,
  teacherReference,
  type EvalNoise,
  type EvalRow,
  type TeacherReference,
} from '../engine/evaluate'
import type { FeatureSpace } from '../engine/feature-space'
import { Previewer, type PreviewSet, type StudentPreview } from '../engine/preview'
import type { DistillHeader, Snapshot } from '../engine/snapshot'
import type { TeacherModel } from '../engine/teacher-model'
import type { Trainee } from './training-loop'

/** A distillation's evaluation at one step: the teacher's reference rows, then the student's. */
export interface DistillEvaluation {
  step: number
  rows: EvalRow[]
  agreement: number
  samples: Map<number, Float32Array>
}

export interface SegmentInputs {
  data: DataSource
  /** The classifier features of an image dataset's Fréchet distance. */
  features?: FeatureSpace
  /**
   * CD's teacher step and target network on another thread, once it is ready: asked at the start and after
   * every yield, so the run need not wait for the thread (the numbers are the same from whichever step it
   * takes over). The job owns and closes it.
   */
  targetSide?: () => TargetSideOffload | null
  onTargetSideAttached?: (step: number) => void
  /** Progress of the teacher reference evaluation (teacher K = 1, 10, 100). */
  onReferenceProgress: (done: number, total: number) => void
  /** Whether the run shows previews (config.sampleEvery > 0). */
  previews: boolean
}

export class DistillSegment implements Trainee {
  private readonly distiller: Distiller
  private readonly noise: EvalNoise
  private readonly previewer: Previewer | null
  private figures: TeacherReference | null = null
  private pendingTargetSide: SegmentInputs['targetSide']

  constructor(
    private readonly config: DistillConfig,
    private readonly teacher: TeacherModel,
    backend: string,
    resume: Snapshot<DistillHeader> | undefined,
    private readonly inputs: SegmentInputs,
  ) {
    this.distiller = new Distiller(config, teacher, backend, resume, inputs.data)
    this.pendingTargetSide = inputs.targetSide
    try {
      this.attachTargetSide()
      this.noise = evaluationNoise(config.seed, config.evalSamples, this.distiller.dim, config.multistepSigmas.length)
      this.previewer = inputs.previews ? new Previewer(teacher, this.distiller.data) : null
    } catch (error) {
      this.distiller.dispose()
      throw error
    }
  }

  get step(): number {
    return this.distiller.step
  }

  trainStep(): Promise<StepResult[]> {
    return this.distiller.trainStep()
  }

  settle(): Promise<StepResult[]> {
    return this.distiller.settle()
  }

  snapshot(): Promise<Snapshot<DistillHeader>> {
    return this.distiller.snapshot()
  }

  /** Hands CD's target side to the other thread if it has become ready. */
  attachTargetSide(): void {
    const offload = this.pendingTargetSide?.()
    if (!offload) return
    this.distiller.offloadTargetSide(offload)
    this.pendingTargetSide = undefined
    this.inputs.onTargetSideAttached?.(this.distiller.step)
  }

  /**
   * The teacher's reference figures, always with DDIM (NFE = K) whatever solver the distillation uses, so
   * every run of a teacher is scored against the same teacher numbers.
   */
  async reference(onProgress = this.inputs.onReferenceProgress): Promise<TeacherReference> {
    this.figures ??= await teacherReference(
      this.teacher,
      this.distiller.data,
      this.config.seed,
      this.noise,
      'ddim',
      onProgress,
      this.inputs.features,
    )
    return this.figures
  }

  /**
   * `onProgress` (the final evaluation, #19) counts models x NFE: the teacher's K = 1, 10, 100 when they are
   * measured now (their first use), then the student's NFEs; it hears 0 of the total first.
   */
  async evaluate(onProgress?: (done: number, total: number) => void): Promise<DistillEvaluation> {
    const { config, distiller } = this
    const teacherRows = this.figures === null ? TEACHER_EVAL_STEPS.length : 0
    const total = teacherRows + studentEvalNfes(config.multistepSigmas.length).length
    onProgress?.(0, total)
    const reference = await (onProgress ? this.reference((done) => onProgress(done, total)) : this.reference())
    const result = await evaluateStudent(
      distiller.evalEma,
      this.teacher,
      reference,
      this.noise,
      config.multistepSigmas,
      config.sigmaData,
      distiller.usesBoundary,
      distiller.trainedSteps(),
      onProgress && ((done) => onProgress(teacherRows + done, total)),
    )
    return {
      step: distiller.step,
      rows: [...reference.rows, ...result.rows],
      agreement: result.agreement,
      samples: result.samples,
    }
  }

  /** What does not change during the run: the held-out data and the teacher's samples. */
  async referenceSets(): Promise<PreviewSet[]> {
    return (await this.previewer?.reference()) ?? []
  }

  /** The student (evaluation EMA) at one step, and at two when a second-step sigma is configured. */
  async studentPreview(): Promise<StudentPreview | null> {
    if (!this.previewer) return null
    const { config, distiller } = this
    return this.previewer.student(distiller.evalEma, distiller.trainedSteps(), {
      secondStepSigma: config.multistepSigmas[0],
      sigmaData: config.sigmaData,
      withBoundary: distiller.usesBoundary,
    })
  }

  dispose(): void {
    this.distiller.dispose()
  }
}
