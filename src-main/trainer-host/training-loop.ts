/**
 * The one training loop of the engine process, for teacher and distillation jobs alike: steps the model to
 * `totalSteps`, checkpoints, evaluates and previews on the job's cadence, yields to the event loop so pause /
 * cancel messages arrive, and obeys them between steps (a pause or cancel always leaves a checkpoint of
 * exactly the step it stopped at). What a step, a checkpoint, an evaluation or a preview is belongs to the job.
 */
import type { RunReporter } from './run-reporter'

/** How often the loop yields to the event loop, so progress draws and pause / cancel requests arrive. */
const YIELD_EVERY_MS = 50

/** One model being trained, as the loop sees it. */
export interface Trainee {
  readonly step: number
  trainStep(): { step: number; loss: number; lr: number }
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
  checkpoint(): void
  evaluate?(): void
  preview(): void
  /** The previews shown once, before the first step (the data, the teacher). */
  previewStart(): void
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
  if (cadence.sampleEvery > 0) hooks.previewStart()
  let lastLoss = Number.NaN
  let trainingMs = 0
  let stepsRun = 0
  clock.start()
  let segmentStart = performance.now()
  let lastYield = segmentStart
  while (hooks.trainee().step < totalSteps) {
    if (control.pauseRequested || control.cancelRequested) {
      trainingMs += performance.now() - segmentStart
      clock.stop()
      hooks.checkpoint()
      const step = hooks.trainee().step
      if (control.cancelRequested) return { status: 'cancelled', step }
      out.emit({ type: 'paused', runId: out.runId, step })
      if ((await control.waitWhilePaused()) === 'cancel') return { status: 'cancelled', step }
      out.emit({ type: 'resumed', runId: out.runId, step })
      clock.start()
      hooks.resume?.()
      segmentStart = performance.now()
      lastYield = segmentStart
    }
    const result = hooks.trainee().trainStep()
    stepsRun += 1
    lastLoss = result.loss
    out.step(result)
    const { step } = result
    const every = (n: number) => n > 0 && step % n === 0
    if (every(cadence.checkpointEvery) && (cadence.checkpointLast || step < totalSteps)) hooks.checkpoint()
    if (every(cadence.evalEvery) && step < totalSteps) hooks.evaluate?.()
    if (cadence.sampleEvery > 0 && (every(cadence.sampleEvery) || step === totalSteps)) hooks.preview()
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      lastYield = performance.now()
      hooks.afterYield?.()
    }
  }
  trainingMs += performance.now() - segmentStart
  clock.stop()
  const step = hooks.trainee().step
  if (cadence.checkpointLast && cadence.checkpointEvery > 0 && step % cadence.checkpointEvery !== 0) hooks.checkpoint()
  return { status: 'finished', msPerStep: stepsRun > 0 ? trainingMs / stepsRun : 0, lastLoss }
}
