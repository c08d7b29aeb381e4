/**
 * CD's stop-gradient side of a training step: the teacher's ODE step from x_hi to x_lo (ALGORITHM.md step 2)
 * and the target network on x_lo (step 4). Neither depends on the student's gradient, so they can run on a
 * second core while the student's forward and backward pass run on the first: the Distiller hands them to
 * a TargetSideOffload (trainer-host runs this class in a worker thread), one batch ahead for the teacher.
 * The same ops on the same backend give the same numbers as the inline computation.
 */
import { boundaryScaling, consistency, makeLevels } from './denoiser'
import type { TeacherModel } from './teacher-model'
import { teacherOdeSolve, type TeacherSolve } from './teacher-ode'
import { tf, type Tensor2D } from './tf'
import { assignFlat, type EpsWeights } from './weights'

// The trainer host builds its TargetSideOffload from these; the ODE itself lives in teacher-ode.ts.
export { teacherOdeSolve, teacherOdeStep, teacherSolveOf, type TeacherSolve } from './teacher-ode'

/** One batch's teacher-step input as arrays. */
export interface TeacherStepInput {
  /** x_hi, [batch, dim] row-major. */
  xStudent: Float32Array
  /** Teacher steps of the noisier (student) and cleaner (target) level per example. */
  studentSteps: Int32Array
  targetSteps: Int32Array
}

/**
 * Where the Distiller sends the stop-gradient side when it runs elsewhere. Calls alternate: a teacher step
 * for a batch, then (one training step later) the target for that batch with the target's weights of that
 * moment, together with the next batch's teacher step. takeTarget() blocks until the target is ready.
 */
export interface TargetSideOffload {
  submitTeacherStep(next: TeacherStepInput): void
  /** `targetWeights`: the target's variables, flattened in variables() order (readFlatVariables). */
  submitTarget(targetWeights: Float32Array, next: TeacherStepInput | null): void
  takeTarget(): Float32Array
}

/** Computes what a TargetSideOffload is asked for: a frozen teacher, a target network, one held x_lo. */
export class CdTargetSide {
  private readonly targetWeights: EpsWeights
  private held: { xLo: Tensor2D; targetSteps: Int32Array } | null = null
  private readonly sigmaMin: number

  constructor(
    private readonly teacher: TeacherModel,
    private readonly solve: TeacherSolve,
    private readonly sigmaData: number,
  ) {
    this.targetWeights = teacher.weights.copy(false, 'target')
    this.sigmaMin = teacher.schedule.sigma[0] as number
  }

  /** x_lo of a batch, kept for the next target() call. */
  teacherStep(input: TeacherStepInput): void {
    const { teacher } = this
    const batch = input.studentSteps.length
    const embeddingDim = teacher.architecture.timeEmbeddingDim
    const xLo = tf.tidy(() => {
      const hi = makeLevels(teacher.schedule, input.studentSteps, embeddingDim)
      const lo = makeLevels(teacher.schedule, input.targetSteps, embeddingDim)
      return teacherOdeSolve(
        teacher,
        tf.tensor2d(input.xStudent, [batch, input.xStudent.length / batch]),
        hi,
        lo,
        this.solve,
      )
    })
    this.held?.xLo.dispose()
    this.held = { xLo, targetSteps: input.targetSteps }
  }

  /**
   * f_target(x_lo, lo) of the held batch with these weights, [batch, dim] row-major. Synchronous: it runs
   * on the target-side thread (cpu / wasm only, see targetThreadWanted), which blocks between jobs anyway.
   */
  target(targetWeights: Float32Array): Float32Array {
    const held = this.held
    if (!held) throw new Error('target requested before any teacher step')
    this.held = null
    assignFlat(this.targetWeights.variables(), targetWeights)
    try {
      return tf.tidy(() => {
        const levels = makeLevels(this.teacher.schedule, held.targetSteps, this.teacher.architecture.timeEmbeddingDim)
        return consistency(
          this.targetWeights.net(),
          held.xLo,
          levels,
          boundaryScaling(levels, this.sigmaMin, this.sigmaData),
        ).dataSync() as Float32Array
      })
    } finally {
      held.xLo.dispose()
    }
  }

  dispose(): void {
    this.held?.xLo.dispose()
    this.held = null
    this.targetWeights.dispose()
  }
}
