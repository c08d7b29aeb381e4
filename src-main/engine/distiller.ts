/**
 * One consistency-distillation (or -training) run's state and its training step, in the order of
 * ALGORITHM.md. Everything random comes from one seeded generator whose state is checkpointed, so a
 * resumed run continues with the very numbers an uninterrupted one would have drawn.
 */
import { walkthroughStep } from '@shared/cd/schedule'
import { effectiveDistill, levelSteps, type EffectiveDistill } from '@shared/config/effective'
import type { DistillConfig } from '@shared/config/schemas'
import { STREAM_TRAIN } from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'
import { Adam, minimize } from './adam'
import { lognormalPairCdf, sampleFromCdf } from './curriculum'
import { dataSource2D, type DataSource } from './data-source'
import type { TargetSideOffload } from './cd-target-side'
import { boundaryScaling, consistency, makeLevels } from './denoiser'
import { defaultHuberC, perExampleDistance, weightedMean } from './losses'
import { pickArrays, prefixArrays, type DistillHeader, type Snapshot } from './snapshot'
import type { TeacherModel } from './teacher-model'
import { teacherOdeSolve, teacherSolveOf, type TeacherSolve } from './teacher-ode'
import { tf, type Tensor2D } from './tf'
import { topReplayFor, type TopReplay } from './top-replay'
import { LaggedLosses } from './loss-reader'
import { readFlatVariables, type EpsWeights } from './weights'

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly value: number,
  ) {
    super(`loss became ${value} at step ${step}; training stopped (the last good checkpoint is kept)`)
    this.name = 'NonFiniteLossError'
  }
}

/** What one training step draws from the run's generator, before any tensor work. */
interface DrawnBatch {
  numScales: number
  xStudent: Float32Array
  /** The target's input when it does not come from the teacher (tutorial, ct, ict). */
  xTarget: Float32Array | null
  studentSteps: Int32Array
  targetSteps: Int32Array
  lambda: Float32Array | null
  /** Reservoir rows trained beside the batch at the top pair (topPairReplay; empty without it). */
  replayPicks: Int32Array
}

export { teacherOdeStep } from './teacher-ode'

export interface StepResult {
  step: number
  loss: number
  lr: number
  numScales: number
}

export class Distiller {
  readonly dim: number
  readonly sigmaMin: number
  readonly student: EpsWeights
  readonly target: EpsWeights
  readonly evalEma: EpsWeights
  /** What training really uses: the algorithm's fixed values (iCT's mu = 0 and 1 / gap weighting), N(k), mu(k). */
  readonly effective: EffectiveDistill
  private readonly adam: Adam
  /** CD's teacher solve, the top share's way down the grid included (teacherSolveOf). */
  private readonly solve: TeacherSolve
  /** The top share's earlier solves, replayed (topPairReplay; null when off). */
  private readonly replay: TopReplay | null
  private rng: Rng
  private stepCount = 0
  private gridCache = new Map<number, { grid: number[]; cdf: Float64Array | null }>()
  private offload: TargetSideOffload | null = null
  /** The next step's batch, whose teacher step is under way elsewhere, and the generator state from before it was drawn. */
  private lookahead: { batch: DrawnBatch; rngBefore: ReturnType<Rng['save']> } | null = null
  /** Each step's loss, read a few steps behind so no step waits on the device (loss-reader.ts). */
  private readonly losses = new LaggedLosses<Omit<StepResult, 'loss'>>(
    (step, value) => new NonFiniteLossError(step, value),
  )

  constructor(
    readonly config: DistillConfig,
    readonly teacher: TeacherModel,
    readonly backend: string,
    resume?: Snapshot<DistillHeader>,
    /** Defaults to the config's built-in 2D dataset; image runs pass their stored images. */
    readonly data: DataSource = dataSource2D(config.dataset),
  ) {
    const architecture = teacher.architecture
    if (data.dim !== architecture.dim)
      throw new Error(
        `dataset ${data.name} has ${data.dim} values per example, the teacher's network ${architecture.dim}`,
      )
    this.dim = architecture.dim
    this.sigmaMin = teacher.schedule.sigma[0] as number
    // Student and target start as copies of the teacher (the architectures match by construction), copied
    // on the device.
    this.student = resume
      ? architecture.fromArrays(pickArrays('student', resume.arrays), true, 'student')
      : teacher.weights.copy(true, 'student')
    this.target = resume
      ? architecture.fromArrays(pickArrays('target', resume.arrays), false, 'target')
      : this.student.copy(false, 'target')
    this.evalEma = resume
      ? architecture.fromArrays(pickArrays('evalEma', resume.arrays), false, 'evalEma')
      : this.student.copy(false, 'evalEma')
    // With the schedule, a grid top above the teacher's last step is refused before any training (the message names sigmaMax).
    this.effective = effectiveDistill(config, teacher.schedule)
    this.solve = teacherSolveOf(config, teacher.schedule)
    const replayFactor = this.effective.config.topPairReplay ?? 0
    this.replay =
      replayFactor > 0 && this.solve.downTheGrid
        ? topReplayFor(this.solve, teacher.schedule, this.dim, replayFactor, resume)
        : null
    this.adam = new Adam(this.student.variables())
    this.rng = Rng.fromSeed(config.seed, STREAM_TRAIN)
    if (resume) {
      const names = this.student.names()
      this.adam.restore(
        {
          step: resume.header.adamStep,
          firstMoment: pickArrays('adam.m', resume.arrays),
          secondMoment: pickArrays('adam.v', resume.arrays),
        },
        names,
      )
      this.rng = Rng.fromState(resume.header.rng)
      this.stepCount = resume.header.step
    }
  }

  /** Steps taken (their losses may not all be read yet: see settle). */
  get step(): number {
    return this.stepCount
  }

  /** The consistency function's form: the walkthrough's loop has no boundary condition. */
  get usesBoundary(): boolean {
    return this.effective.behaviour.usesBoundary
  }

  numScalesAt(step: number): number {
    return this.effective.numScalesAt(step)
  }

  /** Teacher steps k_0 < ... < k_{N-1} of the N-level grid. */
  grid(numScales: number): { grid: number[]; cdf: Float64Array | null } {
    let entry = this.gridCache.get(numScales)
    if (!entry) {
      const grid = levelSteps(this.config, this.teacher.schedule, numScales)
      const cdf =
        this.effective.behaviour.pairSampling === 'lognormal'
          ? lognormalPairCdf(grid.map((k) => this.teacher.schedule.sigma[k] as number))
          : null
      entry = { grid, cdf }
      this.gridCache.set(numScales, entry)
    }
    return entry
  }

  /** The teacher steps the student is trained on at the end of the run (its levels for sampling). */
  trainedSteps(): number[] {
    return this.grid(this.effective.finalNumScales).grid
  }

  /**
   * From now on, CD's teacher step and target network (the stop-gradient side) run on `offload`, another
   * thread, the teacher one batch ahead. Numbers are unchanged: the generator is drawn in the same order,
   * the checkpointed generator state is the one from before the look-ahead batch, and the other side runs
   * the same ops, so it may begin between any two steps. Other algorithms never call the teacher and ignore it.
   */
  offloadTargetSide(offload: TargetSideOffload): void {
    if (this.effective.behaviour.targetInput === 'teacher') this.offload = offload
  }

  /** Draws step `step`'s batch (0-based): data, noise and levels, in the generator order checkpoints rely on. */
  private drawBatch(step: number): DrawnBatch {
    const { teacher, dim } = this
    // The effective values: the algorithm's fixed weighting and top pair share, not the asked ones.
    const { config, behaviour } = this.effective
    const batch = config.batch
    const schedule = teacher.schedule
    const numScales = this.numScalesAt(step)
    const { grid, cdf } = this.grid(numScales)
    const rng = this.rng

    const x0 = this.data.train(batch, rng)
    const z = rng.normals(batch * dim)
    // Student input (the noisier point, except in the walkthrough's loop) and target input.
    const studentSteps = new Int32Array(batch)
    const targetSteps = new Int32Array(batch)
    const xStudent = new Float32Array(batch * dim)
    let xTargetArray: Float32Array | null = null
    let lambda: Float32Array | null = null
    if (behaviour.pairSampling === 'walkthrough') {
      // The walkthrough as written: n in {1..N-1}, t_i = (n/N) T, t_{i+1} = ((n+1)/N) T (clamped to the
      // last step), two independent noises, student at the cleaner t_i, target at the noisier t_{i+1}.
      const T = schedule.numSteps
      const zNext = rng.normals(batch * dim)
      xTargetArray = new Float32Array(batch * dim)
      for (let b = 0; b < batch; b++) {
        const n = 1 + rng.int(numScales - 1)
        studentSteps[b] = walkthroughStep(n, T, numScales)
        targetSteps[b] = walkthroughStep(n + 1, T, numScales)
        const sI = schedule.sigma[studentSteps[b] as number] as number
        const sNext = schedule.sigma[targetSteps[b] as number] as number
        for (let j = 0; j < dim; j++) {
          const i = b * dim + j
          xStudent[i] = (x0[i] as number) + sI * (z[i] as number)
          xTargetArray[i] = (x0[i] as number) + sNext * (zNext[i] as number)
        }
      }
    } else {
      if (behaviour.targetInput !== 'teacher') xTargetArray = new Float32Array(batch * dim)
      if (config.weighting === 'inverse-gap') lambda = new Float32Array(batch)
      // The first examples train the top pair, whose map alone makes a one-step sample (DISTILL_DEFAULTS).
      const atTop = Math.round(config.topPairShare * batch)
      // topPairTarget sigma-min: those examples' target is the teacher's solve to the grid's bottom
      // (teacherSolveOf counts them); their weight stays the top pair's.
      const topTargetRow = this.solve.downTheGrid?.rows ?? 0
      for (let b = 0; b < batch; b++) {
        const n = b < atTop ? numScales - 2 : cdf ? sampleFromCdf(cdf, rng) : rng.int(numScales - 1)
        const hi = grid[n + 1] as number
        const lo = grid[n] as number
        studentSteps[b] = hi
        targetSteps[b] = b < topTargetRow ? (grid[0] as number) : lo
        const sHi = schedule.sigma[hi] as number
        const sLo = schedule.sigma[lo] as number
        if (lambda) lambda[b] = 1 / (sHi - sLo)
        for (let j = 0; j < dim; j++) {
          const i = b * dim + j
          xStudent[i] = (x0[i] as number) + sHi * (z[i] as number)
          // CT / iCT: the cleaner point shares z with the noisier one; CD asks the teacher instead.
          if (xTargetArray) xTargetArray[i] = (x0[i] as number) + sLo * (z[i] as number)
        }
      }
    }

    // After everything else, so a run without replay draws the very numbers it always did.
    const replayPicks = this.replay ? this.replay.drawPicks(step, rng) : new Int32Array(0)
    return { numScales, xStudent, xTarget: xTargetArray, studentSteps, targetSteps, lambda, replayPicks }
  }

  /**
   * One optimisation step. Returns the results whose losses have been read by now: those of earlier steps,
   * LOSS_LAG behind (settle() reads the rest). Throws NonFiniteLossError, naming its step, when a loss read
   * is NaN or infinite; the weights may hold it by then, so the run must stop (its last checkpoint is good).
   */
  async trainStep(): Promise<StepResult[]> {
    if (this.losses.failed) throw this.losses.failed
    const { config, teacher, dim } = this
    const batch = config.batch
    const schedule = teacher.schedule
    const embeddingDim = teacher.architecture.timeEmbeddingDim
    const offload = this.offload
    // With a look-ahead batch, its teacher step is done elsewhere and its target comes from there too.
    const drawn = this.lookahead?.batch ?? this.drawBatch(this.stepCount)
    const targetElsewhere = this.lookahead !== null
    this.lookahead = null
    let next: DrawnBatch | null = null
    if (offload && this.stepCount + 1 < config.steps) {
      const rngBefore = this.rng.save()
      next = this.drawBatch(this.stepCount + 1)
      this.lookahead = { batch: next, rngBefore }
    }
    const nextInput = next && {
      xStudent: next.xStudent,
      studentSteps: next.studentSteps,
      targetSteps: next.targetSteps,
    }
    if (targetElsewhere)
      (offload as TargetSideOffload).submitTarget(await readFlatVariables(this.target.variables()), nextInput)
    else if (nextInput) offload?.submitTeacherStep(nextInput)
    const { numScales, xStudent, xTarget: xTargetArray, studentSteps, targetSteps, lambda } = drawn

    const lr = this.effective.learningRateAt(this.stepCount)
    const huberC = config.huberC ?? defaultHuberC(dim)
    const replay = this.replay
    const replayRows = drawn.replayPicks.length
    const top = replayRows ? this.topPair(numScales) : null
    // This step's fresh solves to sigma_min, for the reservoir: the top share's targets (f is x at sigma_min).
    let freshTargets: Tensor2D | Float32Array | null = null
    const lossTensor = tf.tidy(() => {
      const batchLevels = makeLevels(schedule, studentSteps, embeddingDim)
      const xBatch = tf.tensor2d(xStudent, [batch, dim])
      // Replayed rows follow the batch at the top pair, in the same forward pass.
      const replayed = replay && top ? replay.gather(drawn.replayPicks) : null
      const studentLevels = top
        ? makeLevels(schedule, withRows(studentSteps, replayRows, top.step), embeddingDim)
        : batchLevels
      const studentScaling = this.usesBoundary ? boundaryScaling(studentLevels, this.sigmaMin, config.sigmaData) : null
      const xS = replayed ? tf.concat([xBatch, replayed.inputs]) : xBatch
      const weightArray = lambda && top ? withRows(lambda, replayRows, top.lambda) : lambda
      const weights = weightArray ? tf.tensor1d(weightArray) : null
      const student = () => consistency(this.student.net(), xS, studentLevels, studentScaling)
      const distance = (out: Tensor2D, tgt: Tensor2D) =>
        weightedMean(
          perExampleDistance(config.loss, out, replayed ? tf.concat([tgt, replayed.targets]) : tgt, huberC),
          weights,
        )
      if (targetElsewhere) {
        // The student's forward pass overlaps the target's on the other thread; the target is a constant
        // to the tape, so the gradient is the same as with the target computed first.
        return minimize(
          this.adam,
          this.student.variables(),
          () => {
            const out = student()
            const taken = (offload as TargetSideOffload).takeTarget()
            if (replay) freshTargets = taken.slice(0, replay.freshRows * dim)
            return distance(out, tf.tensor2d(taken, [batch, dim]))
          },
          lr,
        )
      }
      const targetLevels = makeLevels(schedule, targetSteps, embeddingDim)
      const targetScaling = this.usesBoundary ? boundaryScaling(targetLevels, this.sigmaMin, config.sigmaData) : null
      const xT = xTargetArray
        ? tf.tensor2d(xTargetArray, [batch, dim])
        : teacherOdeSolve(teacher, xBatch, batchLevels, targetLevels, this.solve)
      // Stop-gradient target: computed outside the gradient tape. iCT uses the online weights (mu = 0).
      const targetWeights = this.effective.behaviour.targetNetwork === 'online' ? this.student : this.target
      const tgt = consistency(targetWeights.net(), xT, targetLevels, targetScaling)
      if (replay) freshTargets = tf.keep(tgt.slice([0, 0], [replay.freshRows, dim]))
      return minimize(this.adam, this.student.variables(), () => distance(student(), tgt), lr)
    })

    if (replay) this.pushFresh(replay, xStudent, freshTargets as Tensor2D | Float32Array | null)
    this.target.emaFrom(this.student, this.effective.targetMuAt(this.stepCount))
    this.evalEma.emaFrom(this.student, this.effective.evalEmaAt(this.stepCount))
    this.stepCount += 1
    this.losses.push({ step: this.stepCount, lr, numScales }, lossTensor)
    return this.losses.take()
  }

  /** The top pair's student step and loss weight at N levels (the replayed rows'). */
  private topPair(numScales: number): { step: number; lambda: number } {
    const { grid } = this.grid(numScales)
    const hi = grid[numScales - 1] as number
    const sigma = this.teacher.schedule.sigma
    return { step: hi, lambda: 1 / ((sigma[hi] as number) - (sigma[grid[numScales - 2] as number] as number)) }
  }

  /** Puts this step's fresh solves (the batch's first rows and their targets) into the reservoir. */
  private pushFresh(replay: TopReplay, xStudent: Float32Array, fresh: Tensor2D | Float32Array | null): void {
    if (!fresh) throw new Error('replay: the step made no fresh solves')
    const rows = replay.freshRows
    const inputs = tf.tensor2d(xStudent.subarray(0, rows * this.dim), [rows, this.dim])
    const targets = fresh instanceof Float32Array ? tf.tensor2d(fresh, [rows, this.dim]) : fresh
    replay.push(this.stepCount, inputs, targets)
    inputs.dispose()
    targets.dispose()
  }

  /** Reads every outstanding loss: the results of all steps taken and not yet returned. */
  settle(): Promise<StepResult[]> {
    return this.losses.take(0)
  }

  /**
   * The state after the last step. Reads every outstanding loss first (keeping the results for the next
   * trainStep / settle), so a snapshot is never taken of weights a non-finite loss has touched.
   */
  async snapshot(): Promise<Snapshot<DistillHeader>> {
    await this.losses.settle()
    const adam = await this.adam.save(this.student.names())
    return {
      header: {
        kind: 'distill',
        config: this.config,
        teacherConfig: this.teacher.config,
        step: this.stepCount,
        // With a batch drawn ahead, the state before it: a resumed run draws that batch again.
        rng: this.lookahead ? this.lookahead.rngBefore : this.rng.save(),
        adamStep: adam.step,
        backend: this.backend,
        ...(this.replay?.firstStep ? { replayFirstStep: this.replay.firstStep } : {}),
      },
      arrays: {
        ...prefixArrays('student', await this.student.toArrays()),
        ...prefixArrays('target', await this.target.toArrays()),
        ...prefixArrays('evalEma', await this.evalEma.toArrays()),
        ...prefixArrays('adam.m', adam.firstMoment),
        ...prefixArrays('adam.v', adam.secondMoment),
        ...(this.replay ? prefixArrays('replay', await this.replay.toArrays()) : {}),
      },
    }
  }

  dispose(): void {
    this.losses.dispose()
    this.student.dispose()
    this.target.dispose()
    this.evalEma.dispose()
    this.adam.dispose()
    this.replay?.dispose()
  }
}

/** `values` followed by `rows` copies of `value`. */
function withRows<A extends Int32Array | Float32Array>(values: A, rows: number, value: number): A {
  const out = new (values.constructor as new (n: number) => A)(values.length + rows)
  out.set(values)
  out.fill(value, values.length)
  return out
}
