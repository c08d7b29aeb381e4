/**
 * A teacher trained from start (or a checkpoint) to the end outside a run (the make-teachers and
 * teacher-recipe scripts), then scored against held-out data at K = 1, 10, 100 DDIM steps. The steps,
 * checkpoints and yields are the trainer host's one training loop (trainer-host/training-loop.ts), with no
 * host to report to: steps and checkpoints go to the callbacks. (It was engine/run-teacher.ts, a third loop.)
 */
import type { TeacherConfig } from '@shared/config/schemas'
import { DEFAULT_TEACHER_EVAL_SAMPLES } from '@shared/store/teacher-quality'
import type { DataSource } from '../engine/data-source'
import { evaluationNoise, teacherReference, type EvalRow } from '../engine/evaluate'
import type { Snapshot, TeacherHeader } from '../engine/snapshot'
import { TeacherTrainer } from '../engine/teacher-trainer'
import { CallbackReporter } from './callback-reporter'
import { runTrainingLoop, type StepReport } from './training-loop'

export interface TeacherCallbacks {
  onStep?: (result: StepReport) => void
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
    const none = async () => {}
    const end = await runTrainingLoop(
      new CallbackReporter('teacher-training', callbacks.onStep),
      config.steps,
      { checkpointEvery: callbacks.checkpointEvery ?? 0, checkpointLast: false, evalEvery: 0, sampleEvery: 0 },
      {
        trainee: () => trainer,
        checkpoint: async () => callbacks.onCheckpoint?.(await trainer.snapshot()),
        preview: none,
        previewStart: none,
      },
    )
    if (end.status !== 'finished') throw new Error('a teacher training with no host cannot be cancelled')
    const evalSamples = callbacks.evalSamples ?? DEFAULT_TEACHER_EVAL_SAMPLES
    const noise = evaluationNoise(config.seed, evalSamples, trainer.model.architecture.dim, 0)
    const reference = await teacherReference(trainer.model, trainer.data, config.seed, noise, 'ddim')
    return {
      snapshot: await trainer.snapshot(),
      rows: reference.rows,
      msPerStep: end.msPerStep,
      lastLoss: end.lastLoss,
      k100: reference.k100,
    }
  } finally {
    trainer.dispose()
  }
}
