/**
 * A teacher job inside the engine process (run-job.ts holds the distillation): trains the teacher through
 * the one training loop (training-loop.ts) with its previews and checkpoints, then scores it at K = 1, 10, 100
 * DDIM steps, the run's final evaluation, and saves it as teacher.ckpt.
 */
import { join } from 'node:path'
import type { TeacherJob } from '@shared/ipc/engine-messages'
import type { BackendInfo } from '../engine/backend'
import { evaluationNoise, TEACHER_EVAL_STEPS, teacherReference } from '../engine/evaluate'
import { Previewer, TRAINING_PREVIEW_TEACHER_STEPS, type PreviewSet } from '../engine/preview'
import { TeacherTrainer } from '../engine/teacher-trainer'
import { encodeCheckpoint } from '../files/checkpoint-file'
import { makeRunDir } from '../files/run-sample-files'
import { classifierFeatures } from './classifier-cache'
import { asJobError, JobError, type JobContext, type Terminal } from './job-error'
import { openData, pickBackend } from './job-inputs'
import { readTeacherResume } from './resume-checkpoint'
import { DEFAULT_TEACHER_EVAL_SAMPLES } from '@shared/store/teacher-quality'
import { RunReporter } from './run-reporter'
import { runTrainingLoop } from './training-loop'

const DEFAULT_TEACHER_CHECKPOINT_EVERY = 1000
const DEFAULT_TEACHER_SAMPLE_EVERY = 500

export async function runTeacherJob(job: TeacherJob, ctx: JobContext): Promise<Terminal> {
  const { config, runId } = job
  const resume = job.resumeFrom ? readTeacherResume(job.resumeFrom, config) : undefined
  const data = openData(config.dataset, job.datasetDir)
  let backend: BackendInfo
  let trainer: TeacherTrainer
  try {
    backend = await pickBackend(config.backend, data.source)
    makeRunDir(job.checkpointDir)
    makeRunDir(job.outDir)
    trainer = newTeacherTrainer(config, backend.name, resume, data.source)
  } catch (error) {
    data.close()
    throw asJobError(error)
  }
  const out = new RunReporter(runId, ctx, job.wallMsOffset ?? 0)
  try {
    out.at(trainer.step)
    out.emit({
      type: 'started',
      runId,
      backend: backend.label,
      skipped: backend.skipped,
      step: trainer.step,
      totalSteps: config.steps,
    })
    const checkpoint = async (path: string, role: 'latest' | 'teacher') =>
      out.checkpoint(path, encodeCheckpoint(await trainer.snapshot()), trainer.step, role)
    const sampleEvery = job.sampleEvery ?? DEFAULT_TEACHER_SAMPLE_EVERY
    const previewer = sampleEvery > 0 ? new Previewer(trainer.model, data.source) : null
    const preview = (sets: PreviewSet[], swd: Map<number, number>) =>
      out.preview(trainer.step, sets, swd, data.source, job.outDir)
    const previewTeacher = async () => {
      const p = await previewer?.teacherAt(TRAINING_PREVIEW_TEACHER_STEPS)
      if (p) preview(p.sets, p.swd)
    }
    const cadence = {
      checkpointEvery: job.checkpointEvery ?? DEFAULT_TEACHER_CHECKPOINT_EVERY,
      checkpointLast: false,
      evalEvery: 0,
      sampleEvery,
    }
    const end = await runTrainingLoop(out, config.steps, cadence, {
      trainee: () => trainer,
      checkpoint: () => checkpoint(join(job.checkpointDir, 'latest.ckpt'), 'latest'),
      async previewStart() {
        if (previewer) preview([previewer.data()], new Map())
        await previewTeacher()
      },
      preview: previewTeacher,
    })
    if (end.status === 'cancelled') return { type: 'cancelled', runId, step: end.step }

    const noise = evaluationNoise(
      config.seed,
      job.evalSamples ?? DEFAULT_TEACHER_EVAL_SAMPLES,
      trainer.model.architecture.dim,
      0,
    )
    // The teacher's K = 1, 10, 100 after its last step: the run's final evaluation (#19).
    const progress = out.progress('evaluation')
    progress(0, TEACHER_EVAL_STEPS.length)
    const features = await classifierFeatures(data.reader, out.progress('classifier'))
    let reference
    try {
      reference = await teacherReference(
        trainer.model,
        data.source,
        config.seed,
        noise,
        'ddim',
        progress,
        features?.space,
      )
    } finally {
      features?.dispose()
    }
    await checkpoint(join(job.outDir, 'teacher.ckpt'), 'teacher')
    out.emit({ type: 'evaluation', runId, step: trainer.step, rows: reference.rows, agreement: null })
    if (job.samplesDir) out.finalSamples(job.samplesDir, trainer.step, data.source, reference, new Map())
    out.flush()
    return { type: 'finished', runId, step: trainer.step, msPerStep: end.msPerStep, lastLoss: end.lastLoss }
  } catch (error) {
    out.flush()
    throw asJobError(error)
  } finally {
    trainer.dispose()
    data.close()
  }
}

function newTeacherTrainer(...args: ConstructorParameters<typeof TeacherTrainer>): TeacherTrainer {
  try {
    return new TeacherTrainer(...args)
  } catch (error) {
    throw new JobError('INVALID_JOB', `teacher network: ${(error as Error).message}`)
  }
}
