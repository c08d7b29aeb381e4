/**
 * The one training loop of the engine process, for teacher and distillation jobs alike: steps the model to
 * `totalSteps`, checkpoints, evaluates and previews on the job's cadence, yields to the event loop so pause /
 * cancel messages arrive, and obeys them between steps (a pause or cancel always leaves a checkpoint of
 * exactly the step it stopped at). What a step, a checkpoint, an evaluation or a preview is belongs to the job.
 */
import type { RunReporter } from './run-reporter'

/** How often the loop yields to the event loop, so progress draws and pause / cancel requests arrive. */
const YIELD_EVERY_MS = 50

export interface StepReport {
  step: number
  loss: number
  lr: number
}

/**
 * One model being trained, as the loop sees it. A step's loss is read a few steps later (loss-reader.ts):
 * trainStep returns the reports whose losses are read by now, settle the rest.
 */
export interface Trainee {
  /** Steps taken. */
  readonly step: number
  trainStep(): Promise<StepReport[]>
  settle(): Promise<StepReport[]>
}

/** Every how many steps each thing happens; 0 = never. */
export interface Cadence {
  checkpointEvery: number
  /**
   * Whether the last step is checkpointed too (on the cadence or not): a distillation's final.ckpt. A teacher
   * leaves it out; its last state is saved as teacher.ckpt after its evaluation.
   */
  checkpointLast: boolean
  /** Never at the last step: the job's final evaluation follows the loop. */
  evalEvery: number
  /** Also at the last step; and the job's start previews once before the first step. */
  sampleEvery: number
}

export interface TrainingHooks {
  /** The model to step now (a distillation's is rebuilt when it resumes). */
  trainee(): Trainee
  /** Saves the current state as the latest checkpoint. */
  checkpoint(): Promise<void>
  evaluate?(): Promise<void>
  preview(): Promise<void>
  /** The previews shown once, before the first step (the data, the teacher). */
  previewStart(): Promise<void>
  /** After each yield to the event loop. */
  afterYield?(): void
  /** After a pause, before the next step. */
  resume?(): void
}

export type LoopEnd =
  { status: 'finished'; msPerStep: number; lastLoss: number } | { status: 'cancelled'; step: number }

export async function runTrainingLoop(
  out: RunReporter,
  totalSteps: number,
  cadence: Cadence,
  hooks: TrainingHooks,
): Promise<LoopEnd> {
  const { control, clock } = out
  if (cadence.sampleEvery > 0) await hooks.previewStart()
  let lastLoss = Number.NaN
  // Every loss is reported, in step order, before anything that happens at its step (a checkpoint, an
  // evaluation, a preview, a pause): settle() reads the outstanding ones first.
  // The time axis is when each step was taken, not when its loss was read.
  const takenAt = new Map<number, number>()
  const report = (results: StepReport[]) => {
    for (const result of results) {
      lastLoss = result.loss
      out.step(result, takenAt.get(result.step))
      takenAt.delete(result.step)
    }
  }
  let trainingMs = 0
  let stepsRun = 0
  clock.start()
  let segmentStart = performance.now()
  let lastYield = segmentStart
  while (hooks.trainee().step < totalSteps) {
    if (control.pauseRequested || control.cancelRequested) {
      trainingMs += performance.now() - segmentStart
      clock.stop()
      report(await hooks.trainee().settle())
      await hooks.checkpoint()
      const step = hooks.trainee().step
      if (control.cancelRequested) return { status: 'cancelled', step }
      out.emit({ type: 'paused', runId: out.runId, step })
      if ((await control.waitWhilePaused()) === 'cancel') return { status: 'cancelled', step }
      out.emit({ type: 'resumed', runId: out.runId, step })
      // Rebuilding from the checkpoint is part of the pause, not of training: the clock starts after it.
      hooks.resume?.()
      clock.start()
      segmentStart = performance.now()
      lastYield = segmentStart
    }
    const results = await hooks.trainee().trainStep()
    takenAt.set(hooks.trainee().step, clock.ms)
    report(results)
    stepsRun += 1
    const step = hooks.trainee().step
    const every = (n: number) => n > 0 && step % n === 0
    const checkpointNow = every(cadence.checkpointEvery) && (cadence.checkpointLast || step < totalSteps)
    const evaluateNow = every(cadence.evalEvery) && step < totalSteps && hooks.evaluate !== undefined
    const previewNow = cadence.sampleEvery > 0 && (every(cadence.sampleEvery) || step === totalSteps)
    if (checkpointNow || evaluateNow || previewNow) report(await hooks.trainee().settle())
    if (checkpointNow) await hooks.checkpoint()
    if (evaluateNow) await hooks.evaluate?.()
    if (previewNow) await hooks.preview()
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      lastYield = performance.now()
      hooks.afterYield?.()
    }
  }
  report(await hooks.trainee().settle())
  trainingMs += performance.now() - segmentStart
  clock.stop()
  const step = hooks.trainee().step
  if (cadence.checkpointLast && cadence.checkpointEvery > 0 && step % cadence.checkpointEvery !== 0)
    await hooks.checkpoint()
  return { status: 'finished', msPerStep: stepsRun > 0 ? trainingMs / stepsRun : 0, lastLoss }
}
