/**
 * Runs one validated job inside the engine process: selects the backend, loads the teacher, drives the
 * engine and turns its callbacks into messages, writes checkpoints and sample files, and obeys pause /
 * resume / cancel through `JobControl`. Loaded lazily by main.ts (it pulls in tfjs).
 *
 * Returns the terminal message for a normal end (`finished` / `cancelled`); throws JobError for an
 * expected failure (the process stays usable) and anything else for a bug (main.ts reports INTERNAL and
 * exits, since tfjs state may be inconsistent).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { BRANCH_MUST_KEEP, type BackendChoice } from '@shared/config/fields'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import type { DistillJob, EngineErrorCode, EngineMessage, TeacherJob } from '@shared/ipc/engine-messages'
import { isDataset2D } from '@shared/data/dataset-ref'
import { PREVIEW_NOISE_SEED } from '@shared/store/types'
import { BackendError, selectBackend, type BackendInfo } from '../engine/backend'
import { Classifier, CLASSIFIER_TRAIN_DEFAULTS, classifierSpec, trainClassifier } from '../engine/classifier'
import { dataSource2D, imageDataSource, imageHeldOutCount, type DataSource, type ImageShape } from '../engine/data-source'
import { classifierFeatureSpace, type FeatureSpace } from '../engine/feature-space'
import { tf } from '../engine/tf'
import { NonFiniteLossError } from '../engine/distiller'
import { teacherSolveOf } from '../engine/cd-target-side'
import { evaluationNoise, teacherReference } from '../engine/evaluate'
import { Previewer, TRAINING_PREVIEW_TEACHER_STEPS, type PreviewSet } from '../engine/preview'
import { runDistillation, type DistillEvaluation, type DistillPreview } from '../engine/run-distill'
import type { DistillHeader, Snapshot, SnapshotHeader, TeacherHeader } from '../engine/snapshot'
import { TeacherTrainer } from '../engine/teacher-trainer'
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeFileAtomic } from '../files/checkpoint-file'
import { ImageDatasetReader } from '../data/image-dataset'
import { classifierPath, ClassifierFileError, readClassifierFile, writeClassifierFile } from '../files/classifier-file'
import { comparisonGridPng, imageGridPng } from '../files/image-grid-png'
import { pointsCsv } from '../files/export-run'
import { readTeacherFile, TeacherFileError, teacherFromFile, type LoadedTeacher, type TeacherFile } from '../files/teachers'
import { MetricsBatcher } from './metrics-batcher'
import { TargetSideThread, targetThreadRequired, targetThreadWanted } from './target-side-thread'

export class JobError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'JobError'
  }
}

export interface JobControl {
  /** Polled between steps. */
  readonly pauseRequested: boolean
  readonly cancelRequested: boolean
  /** Call once stopped for a pause: resolves when the host sends resume or cancel. */
  waitWhilePaused(): Promise<'resume' | 'cancel'>
}

export interface JobContext {
  emit(message: EngineMessage): void
  control: JobControl
  /** The last step completed, kept up to date for failure reports. */
  step: number
}

type Terminal = Extract<EngineMessage, { type: 'finished' | 'cancelled' }>

/** Training time, with paused stretches left out. */
class ActiveClock {
  private before = 0
  private since: number | null = null

  constructor(private readonly offset = 0) {}

  start(): void {
    this.since ??= performance.now()
  }

  stop(): void {
    if (this.since !== null) this.before += performance.now() - this.since
    this.since = null
  }

  get ms(): number {
    return this.offset + this.before + (this.since === null ? 0 : performance.now() - this.since)
  }
}

/** How often `progress` messages for the teacher reference may go out. */
const PROGRESS_EVERY_MS = 100
/** The teacher loop yields this often so pause / cancel messages arrive (as runDistillation does). */
const YIELD_EVERY_MS = 50
const DEFAULT_TEACHER_CHECKPOINT_EVERY = 1000
const DEFAULT_TEACHER_EVAL_SAMPLES = 4000
const DEFAULT_TEACHER_SAMPLE_EVERY = 500

/** Config fields a resumed distillation may change; any other difference is refused. */
const RESUME_MAY_CHANGE: ReadonlySet<string> = new Set(['steps', 'backend', 'evalEvery', 'sampleEvery', 'checkpointEvery', 'evalSamples', 'teacher', 'multistepSigmas'])

/** BRANCH_MUST_KEEP as a set of names (the service refuses a change first, naming the field). */
const BRANCH_KEEPS: ReadonlySet<string> = new Set(BRANCH_MUST_KEEP)

// ---------------------------------------------------------------------------------------------------------

export async function runDistillJob(job: DistillJob, ctx: JobContext): Promise<Terminal> {
  const { config, runId } = job
  const teacherFile = readTeacher(job.teacherPath, config)
  let resume = job.resumeFrom ? readDistillResume(job.resumeFrom, config, teacherFile, job.branch === true) : undefined
  const data = openData(config.dataset, job.datasetDir)
  const backend = await pickBackend(config.backend)
  const teacher = loadTeacher(teacherFile, data.source)
  let features: Awaited<ReturnType<typeof featureSpaceFor>> = null
  // Only a speed-up (the numbers are the same either way): a thread that cannot start is not a failure, and
  // the run does not wait for it (its tfjs takes a second or so to load) unless told to (CLAB_TARGET_THREAD=1).
  let targetThread: TargetSideThread | null = null
  const threadStart = config.algorithm === 'cd' && targetThreadWanted() ? startTargetThread() : null
  function startTargetThread(): Promise<TargetSideThread | null> {
    const options = { backend: backend.name as BackendChoice, teacher: teacher.model, data: data.source, solve: teacherSolveOf(config), sigmaData: config.sigmaData, batch: config.batch }
    return TargetSideThread.start(options).then(
      (thread) => (targetThread = thread),
      (error: unknown) => {
        console.warn(`the teacher and target stay on the engine thread: ${(error as Error).message}`)
        return null
      },
    )
  }
  try {
    if (threadStart && targetThreadRequired()) await threadStart
    makeDir(job.checkpointDir)
    makeDir(job.samplesDir)
    const latestPath = join(job.checkpointDir, 'latest.ckpt')
    const finalPath = join(job.checkpointDir, 'final.ckpt')
    const clock = new ActiveClock(job.wallMsOffset ?? 0)
    const metrics = new MetricsBatcher((points) => ctx.emit({ type: 'metrics', runId, points }))
    const emit = (message: EngineMessage) => {
      metrics.flush()
      ctx.emit(message)
    }
    ctx.step = resume?.header.step ?? 0
    emit({ type: 'started', runId, backend: backend.name, skipped: backend.skipped, step: ctx.step, totalSteps: config.steps })
    features = await featureSpaceFor(data, runId, emit)

    let lastCheckpoint: Uint8Array | null = null
    let referenceShown = false
    let lastLoss = Number.NaN
    let trainingMs = 0
    let stepsRun = 0
    const progress = throttled(PROGRESS_EVERY_MS, (done: number, total: number) =>
      emit({ type: 'progress', runId, phase: 'reference', done, total }),
    )
    const callbacks = {
      onStep: (r: { step: number; loss: number; lr: number }) => {
        ctx.step = r.step
        lastLoss = r.loss
        metrics.add({ step: r.step, loss: r.loss, lr: r.lr, wallMs: clock.ms })
      },
      onCheckpoint: (snapshot: Snapshot<DistillHeader>) => {
        const bytes = encodeCheckpoint(snapshot)
        writeFile(latestPath, bytes)
        lastCheckpoint = bytes
        const step = snapshot.header.step
        emit({ type: 'checkpoint', runId, step, path: latestPath, bytes: bytes.length, role: 'latest' })
        if (step >= config.steps) {
          writeFile(finalPath, bytes)
          emit({ type: 'checkpoint', runId, step, path: finalPath, bytes: bytes.length, role: 'final' })
        }
      },
      onEvaluation: (e: DistillEvaluation) => emit({ type: 'evaluation', runId, step: e.step, rows: e.rows, agreement: e.agreement }),
      onReferenceProgress: progress,
      onPreview: (p: DistillPreview) => {
        if (p.sets.some((set) => set.model !== 'student')) referenceShown = true
        for (const message of previewMessages(runId, p.step, p.sets, p.swd, clock.ms, data.source, job.samplesDir)) emit(message)
      },
      // The data and teacher previews once per run, not again after a pause.
      get previewReference() {
        return !referenceShown
      },
      shouldStop: () => ctx.control.pauseRequested || ctx.control.cancelRequested,
    }

    for (;;) {
      const segmentStart = resume?.header.step ?? 0
      clock.start()
      let outcome
      try {
        outcome = await runDistillation(config, teacher.model, backend.name, callbacks, resume, {
          data: data.source,
          ...(features ? { features: features.space } : {}),
          ...(threadStart ? { targetSide: () => targetThread, onTargetSideAttached: (step: number) => console.log(`teacher and target on a second thread from step ${step + 1}`) } : {}),
        })
      } catch (error) {
        metrics.flush()
        if (error instanceof NonFiniteLossError) {
          throw new JobError('NON_FINITE_LOSS', `${error.message}${lastCheckpoint ? ` (${latestPath})` : ''}`)
        }
        throw error
      } finally {
        clock.stop()
      }
      trainingMs += outcome.msPerStep * (outcome.step - segmentStart)
      stepsRun += outcome.step - segmentStart
      ctx.step = outcome.step

      if (outcome.status === 'finished') {
        if (outcome.final && outcome.reference) writeSamples(job, outcome.step, data.source, outcome.reference, outcome.final, emit)
        metrics.flush()
        return { type: 'finished', runId, step: outcome.step, msPerStep: stepsRun > 0 ? trainingMs / stepsRun : 0, lastLoss }
      }
      // Stopped between steps, after a checkpoint of exactly this state.
      if (ctx.control.cancelRequested) return { type: 'cancelled', runId, step: outcome.step }
      emit({ type: 'paused', runId, step: outcome.step })
      if ((await ctx.control.waitWhilePaused()) === 'cancel') return { type: 'cancelled', runId, step: outcome.step }
      if (!lastCheckpoint) throw new Error('paused without a checkpoint to resume from')
      // Through the byte format, exactly as a resume in a new process would see it.
      resume = decodeCheckpoint(lastCheckpoint, latestPath) as Snapshot<DistillHeader>
      emit({ type: 'resumed', runId, step: outcome.step })
    }
  } finally {
    await (await threadStart)?.close()
    features?.dispose()
    teacher.model.weights.dispose()
    data.close()
  }
}

/** The run's data: a built-in 2D dataset, or the stored images of `image:<id>` (opened here, at the edge). */
interface OpenData {
  source: DataSource
  /** The stored images (null for 2D data): labels for the classifier, the folder its cache lives in. */
  reader: ImageDatasetReader | null
  close(): void
}

function openData(dataset: string, datasetDir: string | undefined): OpenData {
  if (isDataset2D(dataset)) return { source: dataSource2D(dataset), reader: null, close: () => {} }
  if (!datasetDir) throw new JobError('DATASET', `dataset ${dataset} is an image dataset, but the job names no datasetDir to read it from`)
  let reader: ImageDatasetReader
  try {
    reader = ImageDatasetReader.open(datasetDir)
  } catch (error) {
    throw new JobError('DATASET', `dataset ${dataset} cannot be read: ${(error as Error).message}`)
  }
  try {
    return { source: imageDataSource(dataset, reader), reader, close: () => reader.close() }
  } catch (error) {
    reader.close()
    throw new JobError('DATASET', (error as Error).message)
  }
}

/**
 * The Fréchet feature space of an image dataset: its cached classifier, trained here (on the training part,
 * scored on the held-out part, on the job's backend) when the dataset has none yet. Null for 2D data and for
 * images the classifier cannot take (sides not divisible by 4), which are then scored without it.
 */
async function featureSpaceFor(data: OpenData, runId: string, emit: (m: EngineMessage) => void): Promise<{ space: FeatureSpace; dispose(): void } | null> {
  const reader = data.reader
  if (!reader || reader.height % 4 !== 0 || reader.width % 4 !== 0) return null
  let cached
  try {
    cached = readClassifierFile(reader.dir)
  } catch (error) {
    if (error instanceof ClassifierFileError) throw new JobError('DATASET', error.message)
    throw error
  }
  const spec = classifierSpec({ height: reader.height, width: reader.width, channels: reader.channels, classes: Math.max(2, reader.meta.classes.length) })
  if (!cached) {
    const heldOut = imageHeldOutCount(reader.count)
    const trainCount = reader.count - heldOut
    const part = (first: number, count: number) => ({ count, batch: (indices: ArrayLike<number>) => reader.batch(Array.from(indices, (i) => first + i)) })
    const progress = throttled(PROGRESS_EVERY_MS, (done: number, total: number) => emit({ type: 'progress', runId, phase: 'classifier', done, total }))
    const result = await trainClassifier(spec, { train: part(0, trainCount), test: part(trainCount, heldOut) }, { seed: 0, ...CLASSIFIER_TRAIN_DEFAULTS }, { onProgress: progress })
    const info = { spec, testAccuracy: result.testAccuracy, steps: result.steps, trainImages: trainCount, testImages: heldOut, backend: tf.getBackend(), msPerStep: result.msPerStep, createdAt: Date.now() }
    writeClassifierFile(reader.dir, info, result.weights)
    cached = { info, weights: result.weights }
  }
  let classifier: Classifier
  try {
    classifier = Classifier.fromArrays(spec, cached.weights)
  } catch (error) {
    throw new JobError('DATASET', `${classifierPath(reader.dir)}: ${(error as Error).message}; delete it to train the classifier again`)
  }
  return { space: classifierFeatureSpace(classifier), dispose: () => classifier.dispose() }
}

/** Images shown per grid (8 x 8). */
const GRID_IMAGES = 64

/** The first GRID_IMAGES images of a set as a PNG grid, 8 per row. */
function gridPng(images: Float32Array, data: DataSource & { image: ImageShape }): Buffer {
  return imageGridPng(images.subarray(0, GRID_IMAGES * data.dim), data.image, { columns: 8 })
}

const hasImages = (data: DataSource): data is DataSource & { image: ImageShape } => data.image !== null

/**
 * One `preview` message per sample set; `swd` holds the figures of the sets that were scored, by NFE. Image
 * sets travel as PNG grids written to `samplesDir/previews`, not as numbers.
 */
function previewMessages(
  runId: string,
  step: number,
  sets: readonly PreviewSet[],
  swd: ReadonlyMap<number, number>,
  wallMs: number,
  data: DataSource,
  samplesDir: string,
): EngineMessage[] {
  return sets.map((set) => {
    const base = { type: 'preview' as const, runId, step, model: set.model, nfe: set.nfe, swd: swd.get(set.nfe) ?? null, noiseSeed: PREVIEW_NOISE_SEED, wallMs }
    if (!hasImages(data)) return { ...base, points: Array.from(set.points) }
    const dir = join(samplesDir, 'previews')
    makeDir(dir)
    const imagePath = join(dir, `step${step}-${set.model}-nfe${set.nfe}.png`)
    writeFile(imagePath, gridPng(set.points, data))
    return { ...base, points: [], imagePath }
  })
}

/** The final samples: CSV files of 2D points, or PNG grids of images (plus the same-noise comparison grid). */
function writeSamples(
  job: DistillJob,
  step: number,
  data: DataSource,
  reference: { heldOut: Float32Array; k100: Float32Array },
  final: DistillEvaluation,
  emit: (m: EngineMessage) => void,
): void {
  const sets: Array<{ name: string; model: 'data' | 'teacher' | 'student'; nfe: number; values: Float32Array }> = [
    { name: 'data', model: 'data', nfe: 0, values: reference.heldOut },
    { name: 'teacher-k100', model: 'teacher', nfe: 100, values: reference.k100 },
    ...[...final.samples].map(([nfe, values]) => ({ name: `student-nfe${nfe}`, model: 'student' as const, nfe, values })),
  ]
  for (const set of sets) {
    const path = join(job.samplesDir, `${set.name}.${hasImages(data) ? 'png' : 'csv'}`)
    writeFile(path, hasImages(data) ? gridPng(set.values, data) : pointsCsv(set.values, data.dim))
    emit({ type: 'samples', runId: job.runId, step, model: set.model, nfe: set.nfe, path, ...(hasImages(data) ? { kind: 'png' as const } : {}) })
  }
  const oneStep = final.samples.get(1)
  if (hasImages(data) && oneStep) {
    writeFile(join(job.samplesDir, 'compare.png'), comparisonGridPng({ teacher: reference.k100, oneStep, twoStep: final.samples.get(2) ?? null }, data.image))
  }
}

function readTeacher(path: string, config: DistillConfig): TeacherFile {
  try {
    return readTeacherFile(path, config.dataset)
  } catch (error) {
    if (error instanceof TeacherFileError || error instanceof CheckpointError) throw new JobError('TEACHER', error.message)
    throw error
  }
}

function loadTeacher(file: TeacherFile, data: DataSource): LoadedTeacher {
  try {
    return teacherFromFile(file, data)
  } catch (error) {
    throw new JobError('TEACHER', `teacher ${file.path} cannot be loaded: ${(error as Error).message}`)
  }
}

/** Reads a checkpoint of the expected kind; any problem is a CHECKPOINT job error naming the file. */
function readCheckpointOfKind<H extends SnapshotHeader>(path: string, kind: H['kind'], what: string): Snapshot<H> {
  let snapshot
  try {
    snapshot = readCheckpoint(path)
  } catch (error) {
    if (error instanceof CheckpointError) throw new JobError('CHECKPOINT', error.message)
    throw error
  }
  if (snapshot.header.kind !== kind) throw new JobError('CHECKPOINT', `${path} is a ${snapshot.header.kind} checkpoint, not a ${what}`)
  return snapshot as Snapshot<H>
}

function readDistillResume(path: string, config: DistillConfig, teacher: TeacherFile, branch: boolean): Snapshot<DistillHeader> {
  const snapshot = readCheckpointOfKind<DistillHeader>(path, 'distill', 'distillation')
  const header = snapshot.header
  const changed = differingFields(header.config, config).filter((f) => (branch ? BRANCH_KEEPS.has(f) : !RESUME_MAY_CHANGE.has(f)))
  if (changed.length > 0) {
    const rule = branch ? `a branch must keep ${BRANCH_MUST_KEEP.join(', ')}` : `a resumed run may change only ${[...RESUME_MAY_CHANGE].join(', ')}`
    throw new JobError('CHECKPOINT', `${path} was made with a different config (${changed.join(', ')}); ${rule}`)
  }
  const teacherChanged = differingFields(header.teacherConfig, teacher.snapshot.header.config)
  if (teacherChanged.length > 0) {
    throw new JobError('CHECKPOINT', `${path} was distilled from a different teacher than ${teacher.path} (${teacherChanged.join(', ')} differ)`)
  }
  if (header.step > config.steps) throw new JobError('CHECKPOINT', `${path} is at step ${header.step}, past config.steps ${config.steps}`)
  return snapshot
}

function differingFields(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]))
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Teacher training, driven here step by step (rather than through runTeacherTraining, which has no stop
 * hook yet) so a teacher job can pause and cancel like a distillation.
 */
export async function runTeacherJob(job: TeacherJob, ctx: JobContext): Promise<Terminal> {
  const { config, runId } = job
  const resume = job.resumeFrom ? readTeacherResume(job.resumeFrom, config) : undefined
  const data = openData(config.dataset, job.datasetDir)
  let backend: BackendInfo
  try {
    backend = await pickBackend(config.backend)
  } catch (error) {
    data.close()
    throw error
  }
  makeDir(job.checkpointDir)
  makeDir(job.outDir)
  const latestPath = join(job.checkpointDir, 'latest.ckpt')
  const teacherPath = join(job.outDir, 'teacher.ckpt')
  const checkpointEvery = job.checkpointEvery ?? DEFAULT_TEACHER_CHECKPOINT_EVERY
  const clock = new ActiveClock(job.wallMsOffset ?? 0)
  const metrics = new MetricsBatcher((points) => ctx.emit({ type: 'metrics', runId, points }))
  const emit = (message: EngineMessage) => {
    metrics.flush()
    ctx.emit(message)
  }

  let trainer: TeacherTrainer
  try {
    trainer = new TeacherTrainer(config, backend.name, resume, data.source)
  } catch (error) {
    data.close()
    throw new JobError('INVALID_JOB', `teacher network: ${(error as Error).message}`)
  }
  try {
    ctx.step = trainer.step
    emit({ type: 'started', runId, backend: backend.name, skipped: backend.skipped, step: trainer.step, totalSteps: config.steps })
    const checkpoint = (path: string, role: 'latest' | 'teacher') => {
      const bytes = encodeCheckpoint(trainer.snapshot())
      writeFile(path, bytes)
      emit({ type: 'checkpoint', runId, step: trainer.step, path, bytes: bytes.length, role })
    }

    const sampleEvery = job.sampleEvery ?? DEFAULT_TEACHER_SAMPLE_EVERY
    const previewer = sampleEvery > 0 ? new Previewer(trainer.model, data.source) : null
    const sendPreview = (sets: PreviewSet[], swd: Map<number, number>) => {
      for (const message of previewMessages(runId, trainer.step, sets, swd, clock.ms, data.source, job.outDir)) emit(message)
    }
    const preview = () => {
      if (!previewer) return
      const p = previewer.teacherAt(TRAINING_PREVIEW_TEACHER_STEPS)
      sendPreview(p.sets, p.swd)
    }
    if (previewer) {
      sendPreview([previewer.data()], new Map())
      preview()
    }

    let lastLoss = Number.NaN
    let trainingMs = 0
    const firstStep = trainer.step
    clock.start()
    let segmentStart = performance.now()
    let lastYield = performance.now()
    while (trainer.step < config.steps) {
      if (ctx.control.pauseRequested || ctx.control.cancelRequested) {
        trainingMs += performance.now() - segmentStart
        clock.stop()
        checkpoint(latestPath, 'latest')
        if (ctx.control.cancelRequested) return { type: 'cancelled', runId, step: trainer.step }
        emit({ type: 'paused', runId, step: trainer.step })
        if ((await ctx.control.waitWhilePaused()) === 'cancel') return { type: 'cancelled', runId, step: trainer.step }
        emit({ type: 'resumed', runId, step: trainer.step })
        clock.start()
        segmentStart = performance.now()
        lastYield = segmentStart
      }
      let result
      try {
        result = trainer.trainStep()
      } catch (error) {
        metrics.flush()
        if (error instanceof NonFiniteLossError) throw new JobError('NON_FINITE_LOSS', error.message)
        throw error
      }
      ctx.step = result.step
      lastLoss = result.loss
      metrics.add({ ...result, wallMs: clock.ms })
      if (checkpointEvery > 0 && result.step % checkpointEvery === 0 && result.step < config.steps) checkpoint(latestPath, 'latest')
      if (sampleEvery > 0 && (result.step % sampleEvery === 0 || result.step === config.steps)) preview()
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve))
        lastYield = performance.now()
      }
    }
    trainingMs += performance.now() - segmentStart
    clock.stop()
    const stepsRun = trainer.step - firstStep

    const evalSamples = job.evalSamples ?? DEFAULT_TEACHER_EVAL_SAMPLES
    const noise = evaluationNoise(config.seed, evalSamples, trainer.model.architecture.dim, 0)
    const progress = throttled(PROGRESS_EVERY_MS, (done: number, total: number) =>
      emit({ type: 'progress', runId, phase: 'reference', done, total }),
    )
    const features = await featureSpaceFor(data, runId, emit)
    let reference
    try {
      reference = teacherReference(trainer.model, data.source, config.seed, noise, 'ddim', progress, features?.space)
    } finally {
      features?.dispose()
    }
    checkpoint(teacherPath, 'teacher')
    emit({ type: 'evaluation', runId, step: trainer.step, rows: reference.rows, agreement: null })
    return { type: 'finished', runId, step: trainer.step, msPerStep: stepsRun > 0 ? trainingMs / stepsRun : 0, lastLoss }
  } finally {
    trainer.dispose()
    data.close()
  }
}

function readTeacherResume(path: string, config: TeacherConfig): Snapshot<TeacherHeader> {
  const snapshot = readCheckpointOfKind<TeacherHeader>(path, 'teacher', 'teacher')
  if (snapshot.header.rng === null) throw new JobError('CHECKPOINT', `${path} holds weights only (no optimizer state) and cannot be resumed`)
  const changed = differingFields(snapshot.header.config, config).filter((f) => f !== 'steps' && f !== 'backend')
  if (changed.length > 0) throw new JobError('CHECKPOINT', `${path} was made with a different config (${changed.join(', ')})`)
  return snapshot
}

// ---------------------------------------------------------------------------------------------------------

async function pickBackend(choice: DistillConfig['backend']): Promise<BackendInfo> {
  try {
    return await selectBackend(choice)
  } catch (error) {
    if (error instanceof BackendError) throw new JobError('BACKEND', error.message)
    throw error
  }
}

function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
  } catch (error) {
    throw new JobError('IO', `cannot create ${dir}: ${(error as Error).message}`)
  }
}

function writeFile(path: string, bytes: Uint8Array | string): void {
  try {
    writeFileAtomic(path, bytes)
  } catch (error) {
    throw new JobError('IO', `cannot write ${path}: ${(error as Error).message}`)
  }
}

/** Calls `fn` at most every `ms`, and always for the last call (`done === total`). */
function throttled(ms: number, fn: (done: number, total: number) => void): (done: number, total: number) => void {
  let last = -Infinity
  return (done, total) => {
    const now = performance.now()
    if (done < total && now - last < ms) return
    last = now
    fn(done, total)
  }
}
