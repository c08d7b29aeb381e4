/**
 * Runs a distillation from start (or a checkpoint) to the end, reporting through callbacks: the engine
 * never touches files, the database or the terminal.
 */
import type { DistillConfig } from '@shared/config/schemas'
import type { DataSource } from './data-source'
import type { FeatureSpace } from './feature-space'
import type { TargetSideOffload } from './cd-target-side'
import { Distiller, type StepResult } from './distiller'
import { evaluateStudent, evaluationNoise, teacherReference, type EvalRow, type TeacherReference } from './evaluate'
import { Previewer, type PreviewSet } from './preview'
import type { DistillHeader, Snapshot } from './snapshot'
import type { TeacherModel } from './teacher-model'

export interface DistillEvaluation {
  step: number
  rows: EvalRow[]
  agreement: number
  samples: Map<number, Float32Array>
}

export interface DistillCallbacks {
  onStep?: (result: StepResult) => void
  onCheckpoint?: (snapshot: Snapshot<DistillHeader>) => void
  onEvaluation?: (evaluation: DistillEvaluation) => void
  /** Progress of the one-off teacher reference evaluation (teacher K = 1, 10, 100). */
  onReferenceProgress?: (done: number, total: number) => void
  /** Polled between steps; returning true stops the run after a checkpoint. */
  shouldStop?: () => boolean
  /**
   * Live previews (every `config.sampleEvery` steps and at the last step): the student's sample
   * sets and their sliced Wasserstein by NFE. With `previewReference`, the data and teacher sets come
   * first (once per run: a resumed segment of the same run leaves it out).
   */
  onPreview?: (preview: DistillPreview) => void
  previewReference?: boolean
}

export interface DistillPreview {
  step: number
  sets: PreviewSet[]
  swd: Map<number, number>
}

export interface DistillOutcome {
  status: 'finished' | 'stopped'
  step: number
  lastLoss: number
  msPerStep: number
  /** The teacher reference figures; null when the run stopped before its final evaluation. */
  reference: TeacherReference | null
  final: DistillEvaluation | null
  /** The state at the end, for a final checkpoint (also when no periodic checkpoints were asked for). */
  snapshot: Snapshot<DistillHeader>
}

/** What a run reads besides its config and teacher: its data (default: the config's 2D dataset) and, for images, the classifier features of the Fréchet distance. */
export interface DistillInputs {
  data?: DataSource
  features?: FeatureSpace
  /**
   * CD's teacher step and target network on another thread (Distiller.offloadTargetSide), once it is ready:
   * asked before the first step and at every yield, so the run need not wait for the thread to start (the
   * numbers are the same from whichever step it takes over). The caller owns and closes it.
   */
  targetSide?: () => TargetSideOffload | null
  /** Told the step from which the other thread computes the targets. */
  onTargetSideAttached?: (step: number) => void
}

/** Yield to the event loop this often, so progress bars draw and stop requests arrive. */
const YIELD_EVERY_MS = 50

export async function runDistillation(
  config: DistillConfig,
  teacher: TeacherModel,
  backend: string,
  callbacks: DistillCallbacks = {},
  resume?: Snapshot<DistillHeader>,
  inputs: DistillInputs = {},
): Promise<DistillOutcome> {
  const distiller = new Distiller(config, teacher, backend, resume, inputs.data)
  let pendingTargetSide = inputs.targetSide
  const attachTargetSide = () => {
    const offload = pendingTargetSide?.()
    if (!offload) return
    distiller.offloadTargetSide(offload)
    pendingTargetSide = undefined
    inputs.onTargetSideAttached?.(distiller.step)
  }
  attachTargetSide()
  try {
    const noise = evaluationNoise(config.seed, config.evalSamples, distiller.dim, config.multistepSigmas.length)
    let reference: TeacherReference | null = null
    const getReference = async (): Promise<TeacherReference> => {
      // The teacher's reference figures always use DDIM (NFE = K), whatever solver the distillation uses,
      // so every run of a teacher is scored against the same teacher numbers.
      reference ??= await teacherReference(
        teacher,
        distiller.data,
        config.seed,
        noise,
        'ddim',
        callbacks.onReferenceProgress,
        inputs.features,
      )
      return reference
    }
    const evaluate = async (): Promise<DistillEvaluation> => {
      const figures = await getReference()
      const result = await evaluateStudent(
        distiller.evalEma,
        teacher,
        figures,
        noise,
        config.multistepSigmas,
        config.sigmaData,
        distiller.usesBoundary,
        distiller.trainedSteps(),
      )
      const evaluation = {
        step: distiller.step,
        rows: [...figures.rows, ...result.rows],
        agreement: result.agreement,
        samples: result.samples,
      }
      callbacks.onEvaluation?.(evaluation)
      return evaluation
    }

    const previewer = callbacks.onPreview && config.sampleEvery > 0 ? new Previewer(teacher, distiller.data) : null
    const preview = async () => {
      if (!previewer) return
      const student = await previewer.student(distiller.evalEma, distiller.trainedSteps(), {
        secondStepSigma: config.multistepSigmas[0],
        sigmaData: config.sigmaData,
        withBoundary: distiller.usesBoundary,
      })
      callbacks.onPreview?.({ step: distiller.step, sets: student.sets, swd: student.swd })
    }
    if (previewer && callbacks.previewReference) {
      callbacks.onPreview?.({ step: distiller.step, sets: await previewer.reference(), swd: new Map() })
      await preview()
    }

    let lastLoss = Number.NaN
    // Losses arrive a few steps late (loss-reader.ts); settle() reads the rest before anything at a step.
    const report = (results: StepResult[]) => {
      for (const result of results) {
        lastLoss = result.loss
        callbacks.onStep?.(result)
      }
    }
    let lastYield = performance.now()
    const started = performance.now()
    const firstStep = distiller.step
    while (distiller.step < config.steps) {
      if (callbacks.shouldStop?.()) {
        report(await distiller.settle())
        const snapshot = await distiller.snapshot()
        callbacks.onCheckpoint?.(snapshot)
        // The teacher reference is not computed here: a pause must be quick.
        return {
          status: 'stopped',
          step: distiller.step,
          lastLoss,
          msPerStep: msPerStep(started, distiller.step - firstStep),
          reference,
          final: null,
          snapshot,
        }
      }
      report(await distiller.trainStep())
      const step = distiller.step
      const checkpointNow = config.checkpointEvery > 0 && step % config.checkpointEvery === 0
      const evaluateNow = config.evalEvery > 0 && step % config.evalEvery === 0 && step < config.steps
      const previewNow = config.sampleEvery > 0 && (step % config.sampleEvery === 0 || step === config.steps)
      if (checkpointNow || evaluateNow || previewNow) report(await distiller.settle())
      if (checkpointNow) callbacks.onCheckpoint?.(await distiller.snapshot())
      if (evaluateNow) await evaluate()
      if (previewNow) await preview()
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve))
        lastYield = performance.now()
        attachTargetSide()
      }
    }
    report(await distiller.settle())
    const trainingMs = msPerStep(started, distiller.step - firstStep)
    const snapshot = await distiller.snapshot()
    if (config.checkpointEvery > 0 && distiller.step % config.checkpointEvery !== 0) callbacks.onCheckpoint?.(snapshot)
    const final = await evaluate()
    return {
      status: 'finished',
      step: distiller.step,
      lastLoss,
      msPerStep: trainingMs,
      reference: await getReference(),
      final,
      snapshot,
    }
  } finally {
    distiller.dispose()
  }
}

function msPerStep(started: number, steps: number): number {
  return steps > 0 ? (performance.now() - started) / steps : 0
}
