/**
 * Trains an epsilon-prediction DDPM teacher with the usual noise-prediction MSE:
 *   x_vp = sqrt(alphaBar_k) x0 + sqrt(1 - alphaBar_k) eps,  loss = mean ||net(x_vp, k) - eps||^2.
 * With `ema` > 0 the model (what samples, evaluates and ships) is the weights' moving average and the
 * optimiser trains a separate online set; with 0 the model is the trained weights (teachers from before).
 */
import { scheduleOf } from '@shared/cd/schedule'
import type { TeacherConfig } from '@shared/config/schemas'
import { STREAM_TRAIN } from '@shared/data/datasets2d'
import { evalEmaDecayAt } from '@shared/cd/training-schedules'
import { Rng } from '@shared/rng'
import { Adam, learningRateAt, minimize } from './adam'
import { architectureFor } from './architecture'
import { dataSource2D, type DataSource } from './data-source'
import { NonFiniteLossError } from './distiller'
import { LaggedLosses } from './loss-reader'
import { timeEmbedding } from './mlp'
import { pickArrays, prefixArrays, type Snapshot, type TeacherHeader } from './snapshot'
import type { TeacherModel } from './teacher-model'
import { tf } from './tf'
import type { EpsWeights } from './weights'

/** Checkpoint prefix of the online weights when the model is their EMA (resumable checkpoints only). */
const ONLINE_PREFIX = 'teacher.online'

/**
 * A training example's noise step, floor(T u^p): p = 1 is DDPM's uniform draw (the same generator call as
 * before the power existed, so those runs and their resumes keep their numbers); p > 1 draws low-noise steps
 * more often, a reweighting lambda(k) ~ p(k) of the same loss (issue 17: the checkerboard's edges).
 */
export function drawStep(rng: Rng, numSteps: number, power: number): number {
  if (power === 1) return rng.int(numSteps)
  return Math.min(numSteps - 1, Math.floor(numSteps * rng.uniform() ** power))
}

/** The teacher's learning rate at 1-based `step`: linear warm-up, then cosine decay to the last step. */
export function teacherLearningRate(config: TeacherConfig, step: number): number {
  return learningRateAt(step, config.lr, config.steps, Math.min(config.warmupSteps, config.steps), 'cosine')
}

export class TeacherTrainer {
  readonly model: TeacherModel
  /** The weights Adam trains: the model's own, or (with an EMA) a separate set the model averages. */
  private readonly online: EpsWeights
  private readonly adam: Adam
  private rng: Rng
  private stepCount = 0
  /** Each step's loss, read a few steps behind so no step waits on the device (loss-reader.ts). */
  private readonly losses = new LaggedLosses<{ step: number; lr: number }>(
    (step, value) => new NonFiniteLossError(step, value),
  )

  /** `data` defaults to the config's built-in 2D dataset; image runs pass their stored images. */
  constructor(
    readonly config: TeacherConfig,
    readonly backend: string,
    resume?: Snapshot<TeacherHeader>,
    readonly data: DataSource = dataSource2D(config.dataset),
  ) {
    const architecture = architectureFor(config, data)
    const schedule = scheduleOf(config)
    const arrays = resume
      ? pickArrays('teacher', resume.arrays)
      : architecture.initialArrays(Rng.fromSeed(config.seed, 0))
    const onlineArrays = resume ? pickArrays(ONLINE_PREFIX, resume.arrays) : {}
    const weights = architecture.fromArrays(arrays, config.ema === 0, 'teacher')
    this.online =
      config.ema === 0
        ? weights
        : architecture.fromArrays(Object.keys(onlineArrays).length > 0 ? onlineArrays : arrays, true, 'teacher.online')
    this.model = { config, architecture, schedule, weights }
    this.adam = new Adam(this.online.variables())
    this.rng = Rng.fromSeed(config.seed, STREAM_TRAIN)
    if (resume?.header.rng && resume.header.adamStep !== null) {
      const names = this.online.names()
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

  /**
   * One optimisation step. Returns the results whose losses have been read by now (LOSS_LAG behind; settle
   * reads the rest); throws NonFiniteLossError, naming its step, when one read is NaN or infinite.
   */
  async trainStep(): Promise<Array<{ step: number; loss: number; lr: number }>> {
    if (this.losses.failed) throw this.losses.failed
    const { config, model } = this
    const { schedule, architecture } = model
    const batch = config.batch
    const dim = architecture.dim
    const rng = this.rng
    const x0 = this.data.train(batch, rng)
    const eps = rng.normals(batch * dim)
    const steps = new Int32Array(batch)
    const xNoisy = new Float32Array(batch * dim)
    for (let b = 0; b < batch; b++) {
      const k = drawStep(rng, schedule.numSteps, config.stepPower)
      steps[b] = k
      const a = schedule.alphaBar[k] as number
      const signal = Math.sqrt(a)
      const noise = Math.sqrt(1 - a)
      for (let j = 0; j < dim; j++) {
        const i = b * dim + j
        xNoisy[i] = signal * (x0[i] as number) + noise * (eps[i] as number)
      }
    }
    const lr = teacherLearningRate(config, this.stepCount + 1)
    const lossTensor = tf.tidy(() => {
      const x = tf.tensor2d(xNoisy, [batch, dim])
      const embedding = tf.tensor2d(timeEmbedding(steps, architecture.timeEmbeddingDim), [
        batch,
        architecture.timeEmbeddingDim,
      ])
      const target = tf.tensor2d(eps, [batch, dim])
      const net = this.online.net()
      return minimize(
        this.adam,
        this.online.variables(),
        () => tf.mean(tf.square(tf.sub(net(x, embedding), target))),
        lr,
      )
    })
    this.stepCount += 1
    if (this.online !== model.weights) model.weights.emaFrom(this.online, evalEmaDecayAt(this.stepCount, config.ema))
    this.losses.push({ step: this.stepCount, lr }, lossTensor)
    return this.losses.take()
  }

  /** Reads every outstanding loss: the results of all steps taken and not yet returned. */
  settle(): Promise<Array<{ step: number; loss: number; lr: number }>> {
    return this.losses.take(0)
  }

  /**
   * `withOptimizer` false gives the small, weights-only file that ships as a built-in teacher. Reads every
   * outstanding loss first (kept for the next trainStep / settle), so no snapshot holds a non-finite step.
   */
  async snapshot(withOptimizer = true): Promise<Snapshot<TeacherHeader>> {
    await this.losses.settle()
    const names = this.online.names()
    const adam = withOptimizer ? await this.adam.save(names) : null
    const online = withOptimizer && this.online !== this.model.weights ? await this.online.toArrays() : null
    return {
      header: {
        kind: 'teacher',
        config: this.config,
        step: this.stepCount,
        rng: withOptimizer ? this.rng.save() : null,
        adamStep: adam ? adam.step : null,
        backend: this.backend,
      },
      arrays: {
        ...prefixArrays('teacher', await this.model.weights.toArrays()),
        ...(online ? prefixArrays(ONLINE_PREFIX, online) : {}),
        ...(adam ? { ...prefixArrays('adam.m', adam.firstMoment), ...prefixArrays('adam.v', adam.secondMoment) } : {}),
      },
    }
  }

  dispose(): void {
    this.losses.dispose()
    if (this.online !== this.model.weights) this.online.dispose()
    this.model.weights.dispose()
    this.adam.dispose()
  }
}
