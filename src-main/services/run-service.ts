/**
 * RunService: the one place runs are started, queued, paused, resumed, cancelled, branched, deleted and
 * recorded. The desktop app, `clab serve` and the CLI all go through it. The engine runs in a separate
 * process behind an EngineHost (a forked Node child here; an Electron utilityProcess in the app); what it
 * streams is persisted in the run history (batched transactions), and subscribers get throttled updates
 * (at most one metrics update per run per `updateIntervalMs`, default 100 ms: <= 10 per second).
 */
import { rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { findRow } from '@shared/cd/evaluation'
import { gridTopStep, scheduleOf } from '@shared/cd/schedule'
import { BRANCH_MUST_KEEP } from '@shared/config/fields'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { imageDatasetId, isImageDatasetRef } from '@shared/data/dataset-ref'
import { ConfigError, parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import type { EngineJob, EngineMessage } from '@shared/ipc/engine-messages'
import type { MetricPoint, Run, RunStatus, RunSummary, SampleRecord } from '@shared/store/types'
import { ensureRunDirs, runFilePath, runPaths, type EvaluationInput, type LabStore } from '../store'
import { ForkedEngineHost, type EngineEvent, type EngineHost } from './engine-host'
import { TeacherService, type TeacherScope } from './teacher-service'
import { cartesian, checkSweepGrid } from './sweep-grid'
import { UnrecordedEnds } from './unrecorded-ends'
import type { TeacherFile } from '../files/teachers'
import { pointsToBlob } from '../files/sample-points'

export const APP_VERSION = '0.1.0'

export type RunUpdate =
  | { type: 'run'; run: RunSummary }
  | { type: 'sample'; runId: string; sample: SampleRecord }
  | { type: 'metrics'; runId: string; points: MetricPoint[] }
  | { type: 'log'; runId: string; line: string }

export class RunStateError extends Error {
  readonly code = 'RUN_STATE'
  constructor(message: string) {
    super(message)
    this.name = 'RunStateError'
  }
}

export interface RunServiceOptions {
  store: LabStore
  createHost?: () => EngineHost
  /** Runs at once; default 1 (one engine process, one run at a time). */
  concurrency?: number
  updateIntervalMs?: number
  appVersion?: string
}

export interface StartOptions {
  tags?: string[]
  notes?: string
  /** Where the config's teacher path may point: `data-folder` for API callers (default `anywhere`, the CLI). */
  teacherScope?: TeacherScope
}

/** Settings of a teacher job that are not part of its config (they do not change what it learns). */
export interface TeacherStartOptions extends StartOptions {
  /** Samples of the final K = 1, 10, 100 evaluation (default 4000). */
  evalSamples?: number
  /** Preview interval in steps (default 500, 0 = none). */
  sampleEvery?: number
}

interface ActiveRun {
  host: EngineHost
  off: () => void
  /** Set once the engine reported a terminal event; the host is then retired. */
  ended: boolean
  evalSeed: number
}

const TERMINAL_MESSAGES = new Set(['finished', 'failed', 'cancelled'])

export class RunService {
  private readonly store: LabStore
  private readonly createHost: () => EngineHost
  private readonly concurrency: number
  private readonly updateIntervalMs: number
  private readonly appVersion: string
  private readonly queue: string[] = []
  private readonly jobs = new Map<string, EngineJob>()
  private readonly active = new Map<string, ActiveRun>()
  private readonly listeners = new Set<(update: RunUpdate) => void>()
  private readonly pendingPoints = new Map<string, MetricPoint[]>()
  private readonly idleWaiters: Array<() => void> = []
  private flushTimer: NodeJS.Timeout | null = null
  private closed = false
  /** Ends the store could not take (a full disk): shown instead of the stale `running`, written on retry. */
  private readonly unrecorded = new UnrecordedEnds(
    (id, end) => this.store.runs.updateStatus(id, end.status, { error: end.error }),
    (id) => this.emitRun(id),
  )
  readonly teachers: TeacherService

  constructor(options: RunServiceOptions) {
    this.store = options.store
    this.createHost = options.createHost ?? (() => new ForkedEngineHost())
    this.concurrency = Math.max(1, options.concurrency ?? 1)
    this.updateIntervalMs = options.updateIntervalMs ?? 100
    this.appVersion = options.appVersion ?? APP_VERSION
    this.teachers = new TeacherService(this.store)
  }

  /** Start-up crash recovery: runs left running by a process that is gone become `interrupted`. */
  recover(): string[] {
    const ids = this.store.runs.markRunningAsInterrupted()
    for (const id of ids) this.emitRun(id)
    return ids
  }

  subscribe(listener: (update: RunUpdate) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The run as it is: a run whose engine is gone never reads as `running`, even when the row could not say so. */
  get(id: string): Run {
    return this.unrecorded.overlay(this.store.runs.getRun(id))
  }

  /** As `get`, for rows read elsewhere (lists). */
  present<T extends RunSummary>(run: T): T {
    return this.unrecorded.overlay(run)
  }

  /** Validates, records the config (before step 0) and queues a distillation. */
  async startDistill(input: Record<string, unknown>, options: StartOptions = {}): Promise<Run> {
    const config = parseDistillConfig(input)
    const teacherPath = this.checkGridTop(config, await this.teacherFile(config, options.teacherScope))
    return this.queueDistill(config, teacherPath, options)
  }

  /** Records and queues a distillation whose config and teacher are checked. */
  private queueDistill(config: DistillConfig, teacherPath: string, options: StartOptions): Run {
    const data = this.datasetDir(config.dataset)
    const run = this.store.runs.createRun({ kind: 'distill', config, appVersion: this.appVersion, seed: config.seed, tags: options.tags, notes: options.notes })
    this.jobs.set(run.id, { ...this.freshDistillJob(run.id, config, teacherPath), ...data })
    return this.enqueue(run.id)
  }

  startTeacher(input: Record<string, unknown>, options: TeacherStartOptions = {}): Run {
    const config = parseTeacherConfig(input)
    const data = this.datasetDir(config.dataset)
    const run = this.store.runs.createRun({ kind: 'teacher', config, appVersion: this.appVersion, seed: config.seed, tags: options.tags, notes: options.notes })
    this.jobs.set(run.id, { ...this.freshTeacherJob(run.id, config, options), ...data })
    return this.enqueue(run.id)
  }

  private freshDistillJob(runId: string, config: DistillConfig, teacherPath: string): EngineJob {
    const paths = ensureRunDirs(this.store.paths.root, runId)
    return { kind: 'distill', runId, config, teacherPath, checkpointDir: paths.checkpoints, samplesDir: paths.samples }
  }

  private freshTeacherJob(runId: string, config: TeacherConfig, options: TeacherStartOptions): EngineJob {
    const paths = ensureRunDirs(this.store.paths.root, runId)
    return {
      kind: 'teacher',
      runId,
      config,
      outDir: paths.dir,
      checkpointDir: paths.checkpoints,
      ...(options.evalSamples !== undefined ? { evalSamples: options.evalSamples } : {}),
      ...(options.sampleEvery !== undefined ? { sampleEvery: options.sampleEvery } : {}),
    }
  }

  /** A run that never started (left queued by a process that died) queued again from step 0, same config. */
  private async restart(run: Run, changes: { steps?: number }): Promise<Run> {
    const steps = changes.steps !== undefined ? { steps: changes.steps } : {}
    if (run.kind === 'teacher') {
      const config = parseTeacherConfig({ ...(run.config as TeacherConfig), ...steps })
      this.jobs.set(run.id, { ...this.freshTeacherJob(run.id, config, {}), ...this.datasetDir(config.dataset) })
    } else {
      const config = parseDistillConfig({ ...(run.config as DistillConfig), ...steps })
      const teacherPath = this.checkGridTop(config, await this.teacherFile(config))
      this.jobs.set(run.id, { ...this.freshDistillJob(run.id, config, teacherPath), ...this.datasetDir(config.dataset) })
    }
    return this.enqueue(run.id)
  }

  /**
   * A grid over numeric hyperparameters: one run per point of the cartesian product, all tagged
   * `sweep:<first run id>` so they can be listed and compared together.
   */
  async sweep(base: Record<string, unknown>, grid: Record<string, number[]>, options: StartOptions = {}): Promise<Run[]> {
    checkSweepGrid(grid)
    // Validate every point before queueing any, so a bad value queues nothing; each teacher is read once.
    const teachers = new Map<string, Promise<TeacherFile>>()
    const checked: Array<{ config: DistillConfig; teacherPath: string }> = []
    for (const [i, point] of cartesian(grid).entries()) {
      const config = parseDistillConfig({ ...base, ...point })
      const key = JSON.stringify([config.teacher, config.dataset])
      if (!teachers.has(key)) teachers.set(key, this.teacherFile(config, options.teacherScope))
      checked.push({ config, teacherPath: this.checkGridTop(config, await (teachers.get(key) as Promise<TeacherFile>)) })
      if (i % SWEEP_YIELD_EVERY === SWEEP_YIELD_EVERY - 1) await yieldToEventLoop()
    }
    const runs: Run[] = []
    let tag: string | null = null
    for (const [i, { config, teacherPath }] of checked.entries()) {
      const run = this.queueDistill(config, teacherPath, { ...options, tags: [...(options.tags ?? []), ...(tag ? [tag] : [])] })
      if (!tag) {
        tag = `sweep:${run.id}`
        this.store.runs.tag(run.id, [tag])
      }
      runs.push(this.store.runs.getRun(run.id))
      // A long grid leaves room for other clients' requests between its runs.
      if (i % SWEEP_YIELD_EVERY === SWEEP_YIELD_EVERY - 1) await yieldToEventLoop()
    }
    return runs
  }

  pause(id: string): void {
    const run = this.get(id)
    const active = this.active.get(id)
    if (run.status !== 'running' || !active || active.ended) throw new RunStateError(`run ${id} is ${run.status}, not running; only a running run can be paused`)
    active.host.pause()
  }

  /**
   * Continues a run: a paused one in its engine process; an interrupted, failed or cancelled one from its
   * last checkpoint with the same config and seed (its metrics after that checkpoint are dropped).
   */
  async resume(id: string, changes: { steps?: number } = {}): Promise<Run> {
    const run = this.get(id)
    const active = this.active.get(id)
    if (run.status === 'paused' && active && !active.ended) {
      active.host.resume()
      return run
    }
    if (!['interrupted', 'failed', 'cancelled', 'paused'].includes(run.status)) {
      throw new RunStateError(`run ${id} is ${run.status}; only a paused, interrupted, failed or cancelled run can be resumed`)
    }
    const checkpoint = this.store.checkpoints.latestCheckpoint(id)
    // A run that never started (queued when its process died) starts over from step 0.
    if (!checkpoint && run.startedAt === null) return this.restart(run, changes)
    if (run.kind !== 'distill') throw new RunStateError(`run ${id} is a teacher run; resuming teacher runs is not supported yet`)
    if (!checkpoint) throw new RunStateError(`run ${id} has no checkpoint to resume from`)
    const config = parseDistillConfig({ ...(run.config as DistillConfig), ...(changes.steps !== undefined ? { steps: changes.steps } : {}) })
    const teacherPath = this.checkGridTop(config, await this.teacherFile(config))
    const paths = ensureRunDirs(this.store.paths.root, id)
    this.store.metrics.deleteMetricsAfter(id, checkpoint.step)
    this.jobs.set(id, {
      kind: 'distill',
      runId: id,
      config,
      teacherPath,
      checkpointDir: paths.checkpoints,
      samplesDir: paths.samples,
      ...this.datasetDir(config.dataset),
      resumeFrom: runFilePath(this.store.paths.root, id, checkpoint.path),
    })
    return this.enqueue(id)
  }

  /** A new run from `id`'s last checkpoint with edited hyperparameters; the parent is recorded. */
  async branch(id: string, overrides: Record<string, unknown>, options: StartOptions = {}): Promise<Run> {
    const parent = this.store.runs.getRun(id)
    if (parent.kind !== 'distill') throw new RunStateError(`run ${id} is a teacher run; only distillations can be branched`)
    const checkpoint = this.store.checkpoints.latestCheckpoint(id)
    if (!checkpoint) throw new RunStateError(`run ${id} has no checkpoint to branch from`)
    const config = parseDistillConfig({ ...(parent.config as DistillConfig), ...overrides })
    for (const field of BRANCH_MUST_KEEP) {
      if (JSON.stringify(config[field]) !== JSON.stringify((parent.config as DistillConfig)[field])) {
        throw new ConfigError([{ field, message: `a branch must keep the parent's ${field} (${JSON.stringify((parent.config as DistillConfig)[field])})`, value: config[field] }])
      }
    }
    if (config.steps <= checkpoint.step) {
      throw new ConfigError([{ field: 'steps', message: `must exceed the parent's checkpoint step ${checkpoint.step}`, value: config.steps }])
    }
    const teacherPath = this.checkGridTop(config, await this.teacherFile(config))
    const run = this.store.runs.createRun({
      kind: 'distill',
      config,
      appVersion: this.appVersion,
      seed: config.seed,
      parentRunId: id,
      parentKind: 'branch',
      parentStep: checkpoint.step,
      tags: options.tags,
      notes: options.notes,
    })
    const paths = ensureRunDirs(this.store.paths.root, run.id)
    this.jobs.set(run.id, {
      kind: 'distill',
      runId: run.id,
      config,
      teacherPath,
      checkpointDir: paths.checkpoints,
      samplesDir: paths.samples,
      ...this.datasetDir(config.dataset),
      resumeFrom: runFilePath(this.store.paths.root, id, checkpoint.path),
      branch: true,
    })
    return this.enqueue(run.id)
  }

  cancel(id: string): Run {
    const run = this.get(id)
    const active = this.active.get(id)
    if (active && !active.ended) {
      active.host.cancel()
      return run
    }
    if (run.status === 'queued') {
      this.dequeue(id)
      return this.setStatus(id, 'cancelled')
    }
    throw new RunStateError(`run ${id} is ${run.status}; only a queued, running or paused run can be cancelled`)
  }

  /** Removes a run, its rows and its folder. A running run is stopped first. */
  async delete(id: string): Promise<void> {
    this.store.runs.getRun(id)
    this.dequeue(id)
    const active = this.active.get(id)
    if (active) {
      active.host.kill('SIGKILL')
      await active.host.exited
    }
    const { dir } = this.store.runs.deleteRun(id)
    this.unrecorded.forget(id)
    rmSync(dir, { recursive: true, force: true })
    this.pendingPoints.delete(id)
  }

  tag(id: string, tags: string[]): string[] {
    const result = this.store.runs.tag(id, tags)
    this.emitRun(id)
    return result
  }

  untag(id: string, tags: string[]): string[] {
    const result = this.store.runs.untag(id, tags)
    this.emitRun(id)
    return result
  }

  annotate(id: string, notes: string): void {
    this.store.runs.setNotes(id, notes)
    this.emitRun(id)
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.active.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stops every engine process (running runs are checkpointed by cancel, then marked interrupted). */
  async close(): Promise<void> {
    this.closed = true
    for (const [id, active] of this.active) {
      if (!active.ended) {
        active.host.cancel()
        const stopped = await Promise.race([active.host.exited.then(() => true), delay(5000).then(() => false)])
        if (!stopped) active.host.kill('SIGKILL')
        this.store.runs.updateStatus(id, 'interrupted', { error: 'the app was closed while the run was in progress' })
      }
      active.host.kill()
    }
    // Queued jobs live only in this process: their runs become resumable (from step 0) instead of waiting forever.
    for (const id of this.queue.splice(0)) {
      try {
        this.store.runs.updateStatus(id, 'interrupted', { error: 'the app was closed before the run started; resume it to start it' })
      } catch {
        // The next start-up's recovery marks it, as its owner is gone then.
      }
    }
    this.unrecorded.retry()
    this.unrecorded.stop()
    this.flush()
    if (this.flushTimer) clearInterval(this.flushTimer)
  }

  // --- internals -----------------------------------------------------------------------------------------

  /** The stored folder of an `image:<id>` dataset (checked to be in the history); nothing for 2D data. */
  private datasetDir(dataset: string): { datasetDir?: string } {
    if (!isImageDatasetRef(dataset)) return {}
    const record = this.store.datasets.findDataset(imageDatasetId(dataset))
    if (!record) throw new ConfigError([{ field: 'dataset', message: `no imported image dataset ${dataset} in this history (clab data list shows them)`, value: dataset }])
    return { datasetDir: join(this.store.paths.root, record.path) }
  }

  /** The teacher's checkpoint, checked for the dataset; a problem is a ConfigError naming `teacher`. */
  private async teacherFile(config: DistillConfig, scope: TeacherScope = 'anywhere'): Promise<TeacherFile> {
    try {
      return await this.teachers.resolveFile(config.teacher, config.dataset, scope)
    } catch (error) {
      throw new ConfigError([{ field: 'teacher', message: (error as Error).message, value: config.teacher }])
    }
  }

  /** The grid top checked against the teacher's schedule; the teacher's path. */
  private checkGridTop(config: DistillConfig, file: TeacherFile): string {
    try {
      gridTopStep(scheduleOf(file.snapshot.header.config), config.sigmaMax)
    } catch (error) {
      throw new ConfigError([{ field: 'sigmaMax', message: (error as Error).message, value: config.sigmaMax }])
    }
    return file.path
  }

  private enqueue(id: string): Run {
    const run = this.setStatus(id, 'queued')
    this.queue.push(id)
    this.pump()
    return this.store.runs.getRun(run.id)
  }

  private dequeue(id: string): void {
    const index = this.queue.indexOf(id)
    if (index >= 0) this.queue.splice(index, 1)
  }

  private pump(): void {
    while (!this.closed && this.runningCount() < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift() as string
      const job = this.jobs.get(id)
      this.jobs.delete(id)
      if (!job) continue
      this.launch(id, job)
    }
    if (this.queue.length === 0 && this.active.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }

  /** Engines still working on a job (a retired engine that has not exited yet does not count). */
  private runningCount(): number {
    let n = 0
    for (const active of this.active.values()) if (!active.ended) n++
    return n
  }

  private launch(id: string, job: EngineJob): void {
    const host = this.createHost()
    const active: ActiveRun = { host, off: () => {}, ended: false, evalSeed: job.config.seed }
    active.off = host.on((event) => this.onEngineEvent(id, active, event))
    this.active.set(id, active)
    this.ensureFlushTimer()
    host.start(job)
  }

  private onEngineEvent(id: string, active: ActiveRun, event: EngineEvent): void {
    if (event.type === 'exit') {
      active.off()
      // A resumed run may already have a new engine under the same id; only retire this one.
      if (this.active.get(id) === active) this.active.delete(id)
      this.flush()
      this.pump()
      return
    }
    if (event.type === 'log') {
      this.broadcast({ type: 'log', runId: id, line: event.line })
      return
    }
    if (active.ended) return
    try {
      this.persist(id, active, event)
    } catch (error) {
      // A store failure (a full disk, say) stops the run cleanly with the reason; the engine is told to stop.
      active.ended = true
      active.host.kill('SIGKILL')
      this.safeFail(id, `the run history could not be written: ${(error as Error).message}`)
      return
    }
    if (TERMINAL_MESSAGES.has(event.type)) {
      active.ended = true
      active.host.kill()
    }
  }

  private persist(id: string, active: ActiveRun, message: EngineMessage): void {
    const { store } = this
    switch (message.type) {
      case 'started':
        store.runs.setBackend(id, message.backend)
        this.setStatus(id, 'running')
        break
      case 'metrics': {
        const points: MetricPoint[] = []
        for (const p of message.points) {
          const wallMs = Math.round(p.wallMs)
          points.push({ key: 'loss', step: p.step, value: p.loss, wallMs }, { key: 'lr', step: p.step, value: p.lr, wallMs })
        }
        this.recordPoints(id, points)
        break
      }
      case 'checkpoint':
        store.checkpoints.addCheckpoint(id, { step: message.step, path: relative(runPaths(store.paths.root, id).dir, message.path), bytes: message.bytes })
        break
      case 'evaluation': {
        const items: EvaluationInput[] = message.rows.flatMap((row) => [
          ...(['swd', 'energy', 'mmd', 'msPerSample'] as const).map((metric) => ({ step: message.step, metric, model: row.model, nfe: row.nfe, value: row[metric] })),
          // Image runs: the Fréchet distance in the dataset classifier's features.
          ...(row.fd !== undefined ? [{ step: message.step, metric: 'fd', model: row.model, nfe: row.nfe, value: row.fd }] : []),
          ...(row.agreement !== undefined ? [{ step: message.step, metric: 'agreement', model: row.model, nfe: row.nfe, value: row.agreement }] : []),
        ])
        // Engines that report the one-step agreement only in `agreement` (older checkpoints' runs resumed).
        if (message.agreement !== null && !items.some((e) => e.metric === 'agreement' && e.model === 'student' && e.nfe === 1)) {
          items.push({ step: message.step, metric: 'agreement', model: 'student', nfe: 1, value: message.agreement })
        }
        store.evaluations.addEvaluations(id, items)
        // The final one- and two-step quality (and for images the Fréchet distance), and the teacher-student
        // agreement, as series, so run lists show them as last values.
        const finals = [1, 2].flatMap((nfe) => {
          const row = findRow(message.rows, 'student', nfe)
          if (!row) return []
          return [{ key: `eval/swd_nfe${nfe}`, step: message.step, value: row.swd }, ...(row.fd !== undefined ? [{ key: `eval/fd_nfe${nfe}`, step: message.step, value: row.fd }] : [])]
        })
        if (message.agreement !== null && message.rows.some((r) => r.model === 'student')) finals.push({ key: 'eval/agreement_nfe1', step: message.step, value: message.agreement })
        if (finals.length > 0) store.metrics.appendMetrics(id, finals)
        break
      }
      case 'samples': {
        const sample = store.samples.addSample(id, { step: message.step, nfe: message.nfe, kind: message.kind ?? 'csv2d', model: message.model, role: 'final', noiseSeed: active.evalSeed, path: relative(runPaths(store.paths.root, id).dir, message.path) })
        this.broadcast({ type: 'sample', runId: id, sample })
        break
      }
      case 'preview': {
        const sample = message.imagePath
          ? store.samples.addSample(id, { step: message.step, nfe: message.nfe, kind: 'png', model: message.model, role: 'preview', noiseSeed: message.noiseSeed, path: relative(runPaths(store.paths.root, id).dir, message.imagePath) })
          : store.samples.addSample(id, { step: message.step, nfe: message.nfe, kind: 'points2d', model: message.model, role: 'preview', noiseSeed: message.noiseSeed, data: pointsToBlob(message.points) })
        if (message.swd !== null) {
          this.recordPoints(id, [{ key: `swd/nfe${message.nfe}`, step: message.step, value: message.swd, wallMs: Math.round(message.wallMs) }])
        }
        this.broadcast({ type: 'sample', runId: id, sample })
        break
      }
      case 'paused':
        this.setStatus(id, 'paused')
        break
      case 'resumed':
        this.setStatus(id, 'running')
        break
      case 'finished':
        this.flush()
        if (this.store.runs.getRun(id).kind === 'teacher') this.teachers.registerTrained(id, join(runPaths(store.paths.root, id).dir, 'teacher.ckpt'))
        this.setStatus(id, 'finished')
        break
      case 'cancelled':
        this.flush()
        this.setStatus(id, 'cancelled')
        break
      case 'failed':
        this.flush()
        this.setStatus(id, 'failed', `${message.error.code}: ${message.error.message}`)
        break
      default:
        break
    }
  }

  /** Fails a run whose engine is gone; when the store cannot take even that, the end is held and retried. */
  private safeFail(id: string, reason: string): void {
    try {
      this.setStatus(id, 'failed', reason)
    } catch {
      this.unrecorded.hold(id, 'failed', reason)
      this.emitRun(id)
    }
  }

  private setStatus(id: string, status: RunStatus, error?: string): Run {
    const run = this.store.runs.updateStatus(id, status, error !== undefined ? { error } : {})
    this.unrecorded.forget(id)
    this.broadcast({ type: 'run', run })
    return run
  }

  /** Stores metric points and queues them for the next throttled update to subscribers. */
  private recordPoints(id: string, points: MetricPoint[]): void {
    this.store.metrics.appendMetrics(id, points)
    const pending = this.pendingPoints.get(id)
    if (pending) pending.push(...points)
    else this.pendingPoints.set(id, points)
  }

  private emitRun(id: string): void {
    const run = this.store.runs.findRun(id)
    if (run) this.broadcast({ type: 'run', run: this.unrecorded.overlay(run) })
  }

  private ensureFlushTimer(): void {
    if (this.flushTimer) return
    this.flushTimer = setInterval(() => this.flush(), this.updateIntervalMs)
    this.flushTimer.unref()
  }

  /** Sends each run's accumulated metric points as one update. */
  private flush(): void {
    for (const [runId, points] of this.pendingPoints) {
      if (points.length > 0) this.broadcast({ type: 'metrics', runId, points })
    }
    this.pendingPoints.clear()
    if (this.active.size === 0 && this.flushTimer) {
      clearInterval(this.flushTimer)
      this.flushTimer = null
    }
  }

  private broadcast(update: RunUpdate): void {
    for (const listener of this.listeners) {
      try {
        listener(update)
      } catch {
        // A subscriber's bug must not stop the run.
      }
    }
  }
}

export { cartesian }

/** Sweep points checked or queued between two turns of the event loop. */
const SWEEP_YIELD_EVERY = 10

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

export type { DistillConfig, TeacherConfig }
