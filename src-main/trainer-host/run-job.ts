/**
 * Runs one validated job inside the engine process: opens what it reads (job-inputs.ts), trains it through
 * the one training loop (training-loop.ts) and says what a step, checkpoint, evaluation and preview are for
 * a distillation; a teacher's are in teacher-job.ts. Loaded lazily by main.ts (it pulls in tfjs).
 *
 * Returns the terminal message for a normal end (`finished` / `cancelled`); throws JobError for an
 * expected failure (the process stays usable) and anything else for a bug (main.ts reports INTERNAL and
 * exits, since tfjs state may be inconsistent).
 */
import { join } from 'node:path'
import type { BackendChoice } from '@shared/config/fields'
import type { DistillJob } from '@shared/ipc/engine-messages'
import { teacherSolveOf } from '../engine/cd-target-side'
import type { StudentPreview } from '../engine/preview'
import type { DistillHeader, Snapshot } from '../engine/snapshot'
import { decodeCheckpoint, encodeCheckpoint } from '../files/checkpoint-file'
import { makeRunDir } from '../files/run-sample-files'
import { classifierFeatures, type CachedFeatures } from './classifier-cache'
import { DistillSegment } from './distill-segment'
import { asJobError, type JobContext, type Terminal } from './job-error'
import { loadTeacher, openData, pickBackend, readTeacher } from './job-inputs'
import { readDistillResume } from './resume-checkpoint'
import { RunReporter } from './run-reporter'
import { TargetSideThread, targetThreadRequired, targetThreadWanted } from './target-side-thread'
import { runTrainingLoop } from './training-loop'

export { JobError, type JobContext, type JobControl } from './job-error'
export { runTeacherJob } from './teacher-job'

export async function runDistillJob(job: DistillJob, ctx: JobContext): Promise<Terminal> {
  const { config, runId } = job
  const teacherFile = readTeacher(job.teacherPath, config.dataset)
  const resume = job.resumeFrom
    ? readDistillResume(job.resumeFrom, config, teacherFile, job.branch === true)
    : undefined
  const data = openData(config.dataset, job.datasetDir)
  const backend = await pickBackend(config.backend, data.source)
  const teacher = loadTeacher(teacherFile, data.source)
  let features: CachedFeatures | null = null
  let segment: DistillSegment | null = null
  // Only a speed-up (the numbers are the same either way): a thread that cannot start is not a failure, and
  // the run does not wait for it (its tfjs takes a second or so to load) unless told to (CLAB_TARGET_THREAD=1).
  let targetThread: TargetSideThread | null = null
  const threadStart = config.algorithm === 'cd' && targetThreadWanted(backend.name) ? startTargetThread() : null
  function startTargetThread(): Promise<TargetSideThread | null> {
    const options = {
      backend: backend.name as BackendChoice,
      teacher: teacher.model,
      data: data.source,
      solve: teacherSolveOf(config, teacher.model.schedule),
      sigmaData: config.sigmaData,
      batch: config.batch,
    }
    return TargetSideThread.start(options).then(
      (thread) => (targetThread = thread),
      (error: unknown) => {
        console.warn(`the teacher and target stay on the engine thread: ${(error as Error).message}`)
        return null
      },
    )
  }
  const latestPath = join(job.checkpointDir, 'latest.ckpt')
  let lastCheckpoint: Uint8Array | null = null
  const out = new RunReporter(runId, ctx, job.wallMsOffset ?? 0)
  try {
    if (threadStart && targetThreadRequired()) await threadStart
    makeRunDir(job.checkpointDir)
    makeRunDir(job.samplesDir)
    const firstStep = resume?.header.step ?? 0
    out.at(firstStep)
    out.emit({
      type: 'started',
      runId,
      backend: backend.label,
      skipped: backend.skipped,
      step: firstStep,
      totalSteps: config.steps,
    })
    features = await classifierFeatures(data.reader, out.progress('classifier'))
    const inputs = {
      data: data.source,
      ...(features ? { features: features.space } : {}),
      ...(threadStart
        ? {
            targetSide: () => targetThread,
            onTargetSideAttached: (step: number) =>
              console.log(`teacher and target on a second thread from step ${step + 1}`),
          }
        : {}),
      onReferenceProgress: out.progress('reference'),
      previews: config.sampleEvery > 0,
    }
    const open = (from: Snapshot<DistillHeader> | undefined) =>
      (segment = new DistillSegment(config, teacher.model, backend.name, from, inputs))
    out.clock.start()
    let current = open(resume)
    const preview = (p: StudentPreview | null) =>
      p && out.preview(current.step, p.sets, p.swd, data.source, job.samplesDir)
    const cadence = {
      checkpointEvery: config.checkpointEvery,
      checkpointLast: true,
      evalEvery: config.evalEvery,
      sampleEvery: config.sampleEvery,
    }
    const end = await runTrainingLoop(out, config.steps, cadence, {
      trainee: () => current,
      async checkpoint() {
        const bytes = encodeCheckpoint(await current.snapshot())
        lastCheckpoint = bytes
        out.checkpoint(latestPath, bytes, current.step, 'latest')
        if (current.step >= config.steps)
          out.checkpoint(join(job.checkpointDir, 'final.ckpt'), bytes, current.step, 'final')
      },
      async evaluate() {
        const e = await current.evaluate()
        out.emit({ type: 'evaluation', runId, step: e.step, rows: e.rows, agreement: e.agreement })
      },
      // The data and teacher once per run: not again after a pause.
      async previewStart() {
        preview({ sets: await current.referenceSets(), swd: new Map() })
        preview(await current.studentPreview())
      },
      preview: async () => {
        preview(await current.studentPreview())
      },
      afterYield: () => current.attachTargetSide(),
      resume() {
        current.dispose()
        segment = null
        if (!lastCheckpoint) throw new Error('paused without a checkpoint to resume from')
        // Through the byte format, exactly as a resume in a new process would see it.
        current = open(decodeCheckpoint(lastCheckpoint, latestPath) as Snapshot<DistillHeader>)
      },
    })
    if (end.status === 'cancelled') return { type: 'cancelled', runId, step: end.step }
    const final = await current.evaluate(out.progress('evaluation'))
    out.emit({ type: 'evaluation', runId, step: final.step, rows: final.rows, agreement: final.agreement })
    out.finalSamples(job.samplesDir, final.step, data.source, await current.reference(), final.samples)
    out.flush()
    return { type: 'finished', runId, step: final.step, msPerStep: end.msPerStep, lastLoss: end.lastLoss }
  } catch (error) {
    out.flush()
    throw asJobError(error, lastCheckpoint ? ` (${latestPath})` : '')
  } finally {
    // Casts: both are assigned where TypeScript's narrowing does not look (a closure, an await).
    ;(segment as DistillSegment | null)?.dispose()
    await (await threadStart)?.close()
    ;(features as CachedFeatures | null)?.dispose()
    teacher.model.weights.dispose()
    data.close()
  }
}
