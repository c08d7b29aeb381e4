/**
 * The top share's replay (topPairReplay): the teacher's solves to sigma_min of the last TOP_REPLAY_STEPS steps,
 * kept on the device beside the noisy inputs they start from, so each step can train the one-step map on
 * more of them than it solves. Those targets never go stale: they are the teacher's, not the target
 * network's. The reservoir is a ring written in step order, so which rows hold what is a function of the
 * step alone, and a checkpoint keeps it whole (a resumed run draws from the very rows it would have).
 */
import { TOP_REPLAY_STEPS } from '@shared/config/choices'
import { effectiveValues } from '@shared/config/effective'
import type { NoiseSchedule } from '@shared/cd/schedule'
import type { Rng } from '@shared/rng'
import { pickArrays, type DistillHeader, type Snapshot } from './snapshot'
import { teacherSolveOf, type TeacherSolve } from './teacher-ode'
import { tf, type Tensor2D } from './tf'
import type { NamedArray, WeightArrays } from './weights'

export class TopReplay {
  /** Rows the reservoir holds: TOP_REPLAY_STEPS steps of fresh solves. */
  readonly capacity: number
  /** Replayed rows per step, once any solve is in: topPairReplay per fresh row. */
  readonly rowsPerStep: number
  private inputs: Tensor2D
  private targets: Tensor2D

  constructor(
    /** Rows solved to sigma_min each step (the top share, TeacherSolve.downTheGrid.rows). */
    readonly freshRows: number,
    readonly dim: number,
    factor: number,
    restored?: WeightArrays,
    /**
     * The step of the first push: 0 for a run from scratch, the checkpoint's step for a branch that changed
     * the solves kept (its reservoir starts empty there).
     */
    readonly firstStep = 0,
  ) {
    if (!Number.isInteger(factor) || factor < 1)
      throw new Error(`topPairReplay must be a whole number >= 1, got ${factor}`)
    if (freshRows < 1) throw new Error('topPairReplay needs a top share solved to sigma_min (topPairTarget sigma-min)')
    this.capacity = TOP_REPLAY_STEPS * freshRows
    this.rowsPerStep = factor * freshRows
    const shape: [number, number] = [this.capacity, dim]
    const load = (name: 'inputs' | 'targets'): Tensor2D => {
      const a = restored?.[name]
      if (!restored) return tf.zeros(shape)
      if (!a || a.shape.join(',') !== shape.join(',') || a.data.length !== this.capacity * dim)
        throw new Error(
          `checkpoint's replay/${name} is ${a ? `[${a.shape.join(', ')}]` : 'missing'}, expected [${shape.join(', ')}] (topPairReplay ${factor})`,
        )
      return tf.tensor2d(a.data, shape)
    }
    this.inputs = load('inputs')
    this.targets = load('targets')
  }

  /** Rows holding a solve when step `step` (0-based) trains: those pushed by the steps before it. */
  filledBefore(step: number): number {
    return Math.min(this.capacity, Math.max(0, step - this.firstStep) * this.freshRows)
  }

  /** The rows step `step` replays, drawn from the run's generator (none before the first solve is in). */
  drawPicks(step: number, rng: Rng): Int32Array {
    const filled = this.filledBefore(step)
    const picks = new Int32Array(filled > 0 ? this.rowsPerStep : 0)
    for (let i = 0; i < picks.length; i++) picks[i] = rng.int(filled)
    return picks
  }

  /** The picked rows' inputs (at the grid's top) and their targets. Call inside a tidy. */
  gather(picks: Int32Array): { inputs: Tensor2D; targets: Tensor2D } {
    const index = tf.tensor1d(picks, 'int32')
    return { inputs: tf.gather(this.inputs, index) as Tensor2D, targets: tf.gather(this.targets, index) as Tensor2D }
  }

  /** Writes step `step`'s fresh solves over the oldest rows (a contiguous block: capacity is a multiple of them). */
  push(step: number, inputs: Tensor2D, targets: Tensor2D): void {
    if (inputs.shape[0] !== this.freshRows || targets.shape[0] !== this.freshRows)
      throw new Error(`replay push of ${inputs.shape[0]} rows, expected ${this.freshRows}`)
    const at = ((step - this.firstStep) * this.freshRows) % this.capacity
    const write = (ring: Tensor2D, rows: Tensor2D): Tensor2D =>
      tf.keep(
        tf.tidy(() => {
          const parts: Tensor2D[] = []
          if (at > 0) parts.push(ring.slice([0, 0], [at, this.dim]))
          parts.push(rows)
          const after = this.capacity - at - this.freshRows
          if (after > 0) parts.push(ring.slice([at + this.freshRows, 0], [after, this.dim]))
          return tf.concat(parts, 0)
        }),
      )
    const inputsBefore = this.inputs
    const targetsBefore = this.targets
    this.inputs = write(inputsBefore, inputs)
    this.targets = write(targetsBefore, targets)
    inputsBefore.dispose()
    targetsBefore.dispose()
  }

  async toArrays(): Promise<Record<'inputs' | 'targets', NamedArray>> {
    const shape = [this.capacity, this.dim]
    return {
      inputs: { shape, data: (await this.inputs.data()) as Float32Array },
      targets: { shape, data: (await this.targets.data()) as Float32Array },
    }
  }

  dispose(): void {
    this.inputs.dispose()
    this.targets.dispose()
  }
}

/**
 * The reservoir of a run solving `solve` with replay `factor`. A checkpoint's goes on (strictly: a resume
 * must find it whole) when its config kept the same solves: the same rows, from the same top level down the
 * same grid, with the same solver. A branch that changed them (replay switched on, another batch or top
 * share, another grid) starts an empty reservoir at its first step: the old solves are not this run's.
 */
export function topReplayFor(
  solve: TeacherSolve,
  schedule: NoiseSchedule,
  dim: number,
  factor: number,
  resume: Snapshot<DistillHeader> | undefined,
): TopReplay {
  const rows = solve.downTheGrid?.rows ?? 0
  if (!resume) return new TopReplay(rows, dim, factor)
  const saved = resume.header.config
  const keptSolves =
    (effectiveValues(saved).topPairReplay ?? 0) > 0 &&
    JSON.stringify(teacherSolveOf(saved, schedule)) === JSON.stringify(solve)
  return keptSolves
    ? new TopReplay(rows, dim, factor, pickArrays('replay', resume.arrays), resume.header.replayFirstStep ?? 0)
    : new TopReplay(rows, dim, factor, undefined, resume.header.step)
}
