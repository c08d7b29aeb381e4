/**
 * The teacher's probability-flow ODE, dx/dsigma = eps(x, sigma), solved by DDIM (Euler in sigma space) or
 * Heun. One step serves both the training targets (CD's x_lo from x_hi, ALGORITHM.md step 2, per example)
 * and the teacher sampler (K steps from sigmaMax z down to step 0, one level for all rows), so the target a
 * student learns and the teacher it is compared with solve the same ODE the same way.
 */
import { hopSubsteps, type NoiseSchedule } from '@shared/cd/schedule'
import { effectiveValues, finalNumScales, levelSteps } from '@shared/config/effective'
import type { Solver } from '@shared/config/fields'
import type { DistillConfig } from '@shared/config/schemas'
import { epsilon, makeLevels, uniformSteps, type EpsNet, type Levels } from './denoiser'
import type { TeacherModel } from './teacher-model'
import { tf, type Tensor, type Tensor2D } from './tf'

/** How CD solves the teacher's ODE over one hop: the solver, and how many of its steps (1 in ALGORITHM.md). */
export interface TeacherSolve {
  solver: Solver
  substeps: number
  /**
   * topPairTarget sigma-min: the first `rows` rows of every batch (the top share, at the grid's top level)
   * are solved down every level of `levels` (the grid's teacher steps, ascending) to its first, `substeps`
   * per hop, instead of one hop. Absent: every row takes one hop.
   */
  downTheGrid?: { rows: number; levels: readonly number[] }
}

type SolveConfig = Pick<
  DistillConfig,
  | 'solver'
  | 'teacherSubsteps'
  | 'algorithm'
  | 'grid'
  | 'sigmaMax'
  | 'numScales'
  | 'steps'
  | 'batch'
  | 'topPairShare'
  | 'topPairTarget'
>

/** The run's solve; with a top share trained against sigma_min, the grid (of the schedule) it solves down. */
export function teacherSolveOf(config: SolveConfig, schedule: NoiseSchedule): TeacherSolve {
  const solve = { solver: config.solver, substeps: config.teacherSubsteps }
  const { topPairShare, topPairTarget } = effectiveValues(config)
  const rows = Math.round(topPairShare * config.batch)
  if (topPairTarget !== 'sigma-min' || rows === 0) return solve
  // cd's N is constant over a run (only iCT has a curriculum, and it calls no teacher), so one grid serves.
  return { ...solve, downTheGrid: { rows, levels: levelSteps(config, schedule, finalNumScales(config)) } }
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
 * teacher's ODE at the same cost to the student (see DISTILL_DEFAULTS for what it changes). With
 * `downTheGrid`, the top share's rows go on down the grid's levels to sigma_min (their lo is the grid's first).
 */
export function teacherOdeSolve(
  teacher: TeacherModel,
  xHi: Tensor2D,
  hi: Levels,
  lo: Levels,
  solve: TeacherSolve,
): Tensor2D {
  const down = solve.downTheGrid
  const batch = hi.steps.length
  const rows = Math.min(down?.rows ?? 0, batch)
  if (!down || rows === 0) return solveHops(teacher, xHi, hi, lo, solve)
  const top = solveDownLevels(teacher, tf.slice(xHi, [0, 0], [rows, -1]), hi.steps, lo.steps, down.levels, solve)
  if (rows === batch) return top
  const { schedule } = teacher
  const embeddingDim = teacher.architecture.timeEmbeddingDim
  const rest = solveHops(
    teacher,
    tf.slice(xHi, [rows, 0], [-1, -1]),
    makeLevels(schedule, hi.steps.subarray(rows), embeddingDim),
    makeLevels(schedule, lo.steps.subarray(rows), embeddingDim),
    solve,
  )
  return tf.concat([top, rest]) as Tensor2D
}

function solveHops(teacher: TeacherModel, xHi: Tensor2D, hi: Levels, lo: Levels, solve: TeacherSolve): Tensor2D {
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

/**
 * The top share's solve: from the grid's top level down each hop of `levels` in `substeps` steps (the
 * hops' own substeps, so its path is the one the hops below would take), all rows together.
 */
function solveDownLevels(
  teacher: TeacherModel,
  xTop: Tensor2D,
  hiSteps: Int32Array,
  loSteps: Int32Array,
  levels: readonly number[],
  solve: TeacherSolve,
): Tensor2D {
  const rows = xTop.shape[0]
  const topStep = levels[levels.length - 1] as number
  const bottomStep = levels[0] as number
  for (let b = 0; b < rows; b++)
    if (hiSteps[b] !== topStep || loSteps[b] !== bottomStep)
      throw new Error(`row ${b} of the top share is not the pair (${topStep}, ${bottomStep}) it is solved as`)
  const net = teacher.weights.net()
  const embeddingDim = teacher.architecture.timeEmbeddingDim
  let x = xTop
  for (let i = levels.length - 1; i > 0; i--) {
    let from = levels[i] as number
    for (const to of hopSubsteps(from, levels[i - 1] as number, solve.substeps)) {
      // A hop shorter than its substeps repeats a step; a step of length zero leaves x as it is.
      if (to !== from) x = odeStep(net, x, sharedHop(teacher.schedule, rows, from, to, embeddingDim), solve.solver)
      from = to
    }
  }
  return x
}
