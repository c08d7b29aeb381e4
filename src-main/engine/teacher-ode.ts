/**
 * The teacher's probability-flow ODE, dx/dsigma = eps(x, sigma), solved by DDIM (Euler in sigma space) or
 * Heun. One step serves both the training targets (CD's x_lo from x_hi, ALGORITHM.md step 2, per example)
 * and the teacher sampler (K steps from sigmaMax z down to step 0, one level for all rows), so the target a
 * student learns and the teacher it is compared with solve the same ODE the same way.
 */
import { hopSubsteps, type NoiseSchedule } from '@shared/cd/schedule'
import type { Solver } from '@shared/config/fields'
import type { DistillConfig } from '@shared/config/schemas'
import { epsilon, makeLevels, uniformSteps, type EpsNet, type Levels } from './denoiser'
import type { TeacherModel } from './teacher-model'
import { tf, type Tensor, type Tensor2D } from './tf'

/** How CD solves the teacher's ODE over one hop: the solver, and how many of its steps (1 in ALGORITHM.md). */
export interface TeacherSolve {
  solver: Solver
  substeps: number
}

export function teacherSolveOf(config: Pick<DistillConfig, 'solver' | 'teacherSubsteps'>): TeacherSolve {
  return { solver: config.solver, substeps: config.teacherSubsteps }
}

/** Network evaluations one solver step costs (Heun evaluates again at the cleaner end). */
export function evaluationsPerStep(solver: Solver): number {
  return solver === 'ddim' ? 1 : 2
}

/** One solver step's two ends and the change in sigma between them. */
export interface OdeHop {
  hi: Levels
  /** The cleaner end, built only when the solver evaluates there (Heun). */
  lo: () => Levels
  /**
   * sigma_lo - sigma_hi: a [batch, 1] column where every row has its own hop (training), one number where
   * all rows share it (the sampler). The two are rounded differently (float32 difference of float32 sigmas
   * against one float64 difference), and each caller keeps the numbers it has always produced.
   */
  dSigma: Tensor | number
}

/** A hop whose rows each have their own levels: sigma_lo - sigma_hi per row. */
export function perExampleHop(hi: Levels, lo: Levels): OdeHop {
  return { hi, lo: () => lo, dSigma: tf.sub(lo.sigmaColumn, hi.sigmaColumn) }
}

/** A hop that all `rows` rows take from teacher step `hiStep` to `loStep`. */
export function sharedHop(
  schedule: NoiseSchedule,
  rows: number,
  hiStep: number,
  loStep: number,
  embeddingDim: number,
): OdeHop {
  return {
    hi: makeLevels(schedule, uniformSteps(rows, hiStep), embeddingDim),
    lo: () => makeLevels(schedule, uniformSteps(rows, loStep), embeddingDim),
    dSigma: (schedule.sigma[loStep] as number) - (schedule.sigma[hiStep] as number),
  }
}

/** One step of the ODE from the noisier to the cleaner end (no gradient): DDIM, or Heun's average of both slopes. */
export function odeStep(net: EpsNet, x: Tensor2D, hop: OdeHop, solver: Solver): Tensor2D {
  // (x - D(x)) / sigma is the epsilon prediction itself, so no division by sigma is needed.
  const slope = epsilon(net, x, hop.hi)
  const xEuler = tf.add(x, tf.mul(hop.dSigma, slope)) as Tensor2D
  if (solver === 'ddim') return xEuler
  const slopeLo = epsilon(net, xEuler, hop.lo())
  return tf.add(x, tf.mul(hop.dSigma, tf.mul(tf.add(slope, slopeLo), 0.5))) as Tensor2D
}

/** The teacher's step from the noisier to the cleaner level, each row on its own hop. */
export function teacherOdeStep(teacher: TeacherModel, xHi: Tensor2D, hi: Levels, lo: Levels, solver: Solver): Tensor2D {
  return odeStep(teacher.weights.net(), xHi, perExampleHop(hi, lo), solver)
}

/**
 * x_lo from x_hi by the teacher's ODE (no gradient): `substeps` solver steps over the teacher's own steps
 * between the two levels. One is ALGORITHM.md's step 2; more make the target a closer solution of the
 * teacher's ODE at the same cost to the student (see DISTILL_DEFAULTS for what it changes).
 */
export function teacherOdeSolve(
  teacher: TeacherModel,
  xHi: Tensor2D,
  hi: Levels,
  lo: Levels,
  solve: TeacherSolve,
): Tensor2D {
  if (solve.substeps === 1) return teacherOdeStep(teacher, xHi, hi, lo, solve.solver)
  const embeddingDim = teacher.architecture.timeEmbeddingDim
  const perExample = Array.from(hi.steps, (h, b) => hopSubsteps(h, lo.steps[b] as number, solve.substeps))
  let x = xHi
  let from = hi
  for (let j = 0; j < solve.substeps; j++) {
    const to =
      j === solve.substeps - 1
        ? lo
        : makeLevels(
            teacher.schedule,
            Int32Array.from(perExample, (steps) => steps[j] as number),
            embeddingDim,
          )
    x = teacherOdeStep(teacher, x, from, to, solve.solver)
    from = to
  }
  return x
}
