/**
 * Trains a teacher from start (or a checkpoint) to the end, reporting through callbacks, then scores it
 * against held-out data at K = 1, 10, 100 DDIM steps.
 */
import type { TeacherConfig } from '@shared/config/schemas'
import type { DataSource } from './data-source'
import { evaluationNoise, teacherReference, type EvalRow } from './evaluate'
import type { Snapshot, TeacherHeader } from './snapshot'
import { TeacherTrainer } from './teacher-trainer'

export interface TeacherCallbacks {
  onStep?: (result: { step: number; loss: number; lr: number }) => void
  onCheckpoint?: (snapshot: Snapshot<TeacherHeader>) => void
  checkpointEvery?: number
  evalSamples?: number
}

export interface TeacherOutcome {
  snapshot: Snapshot<TeacherHeader>
  rows: EvalRow[]
  msPerStep: number
  lastLoss: number
  /** The teacher's DDIM-100 samples from the evaluation noise (scored in `rows`). */
  k100: Float32Array
}

export async function runTeacherTraining(
  config: TeacherConfig,
  backend: string,
  callbacks: TeacherCallbacks = {},
  resume?: Snapshot<TeacherHeader>,
  data?: DataSource,
): Promise<TeacherOutcome> {
  const trainer = new TeacherTrainer(config, backend, resume, data)
  try {
    let lastLoss = Number.NaN
    let lastYield = performance.now()
    const started = performance.now()
    const firstStep = trainer.step
    const report = (results: Array<{ step: number; loss: number; lr: number }>) => {
      for (const result of results) {
        lastLoss = result.loss
        callbacks.onStep?.(result)
      }
    }
    while (trainer.step < config.steps) {
      report(await trainer.trainStep())
      if (callbacks.checkpointEvery && trainer.step % callbacks.checkpointEvery === 0) {
        report(await trainer.settle())
        callbacks.onCheckpoint?.(await trainer.snapshot())
      }
      if (performance.now() - lastYield > 50) {
        await new Promise((resolve) => setImmediate(resolve))
        lastYield = performance.now()
      }
    }
    report(await trainer.settle())
    const msPerStep = trainer.step > firstStep ? (performance.now() - started) / (trainer.step - firstStep) : 0
    const evalSamples = callbacks.evalSamples ?? 4000
    const noise = evaluationNoise(config.seed, evalSamples, trainer.model.architecture.dim, 0)
    const reference = await teacherReference(trainer.model, trainer.data, config.seed, noise, 'ddim')
    return { snapshot: await trainer.snapshot(), rows: reference.rows, msPerStep, lastLoss, k100: reference.k100 }
  } finally {
    trainer.dispose()
  }
}
