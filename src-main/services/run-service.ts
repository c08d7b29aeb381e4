/**
 * RunService: the one place runs are started, queued, paused, resumed, cancelled, branched, deleted and
 * recorded. The desktop app, `clab serve` and the CLI all go through it. The engine runs in a separate
 * process behind an EngineHost (a forked Node child here; an Electron utilityProcess in the app); what it
 * streams is persisted in the run history (batched transactions), and subscribers get throttled updates
 * (at most one metrics update per run per `updateIntervalMs`, default 100 ms: <= 10 per second).
 */
import { rmSync } from 'node:fs'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import type { EngineJob } from '@shared/ipc/engine-messages'
import type { MetricPoint, Run, RunStatus, RunSummary } from '@shared/store/types'
import type { LabStore } from '../store'
import { ForkedEngineHost, type EngineEvent, type EngineHost } from './engine-host'
import { cancelOrKill, isTerminalMessage, type ActiveRun } from './active-run'
import { TeacherService, type TeacherScope } from './teacher-service'
import { cartesian, planSweep, SWEEP_YIELD_EVERY, yieldToEventLoop } from './sweep-grid'
import { UnrecordedEnds } from './unrecorded-ends'
import { recordEngineMessage, type RecordSink } from './engine-records'
import { JobBuilder, type LaunchTeacher } from './run-jobs'
import { branchJob, planBranch, resumeJob } from './run-continuations'
import { MetricUpdates } from './metric-updates'
import { RunQueue } from './run-queue'
import { RunPhases } from './run-phases'
import {
  APP_VERSION,
  RunStateError,
  type RunServiceOptions,
  type RunUpdate,
  type StartOptions,
  type TeacherStartOptions,
} from './run-types'

export { APP_VERSION, RunStateError } from './run-types'
export type { RunServiceOptions, RunUpdate, StartOptions, TeacherStartOptions } from './run-types'

export class RunService {
  private readonly store: LabStore
  private readonly createHost: () => EngineHost
  private readonly updateIntervalMs: number
  private readonly appVersion: string
  private readonly active = new Map<string, ActiveRun>()
  private readonly queue: RunQueue
  private readonly listeners = new Set<(update: RunUpdate) => void>()
  private readonly updates: MetricUpdates
  /** Ends the store could not take (a full disk): shown instead of the stale `running`, written on retry. */
  private readonly unrecorded = new UnrecordedEnds(
    (id, end) => this.store.runs.updateStatus(id, end.status, { error: end.error }),
    (id) => this.emitRun(id),
  )
  readonly teachers: TeacherService
  private readonly sink: RecordSink
  private readonly jobBuilder: JobBuilder
  private readonly phases = new RunPhases((update) => this.broadcast(update))

  constructor(options: RunServiceOptions) {
    this.store = options.store
    this.createHost = options.createHost ?? (() => new ForkedEngineHost())
    this.queue = new RunQueue(Math.max(1, options.concurrency ?? 1), this.active, (id, job) => this.launch(id, job))
    this.updateIntervalMs = options.updateIntervalMs ?? 100
    this.appVersion = options.appVersion ?? APP_VERSION
    this.teachers = new TeacherService(this.store)
    this.jobBuilder = new JobBuilder(this.store, this.teachers)
    this.updates = new MetricUpdates(
      (runId, points) => this.broadcast({ type: 'metrics', runId, points }),
      this.updateIntervalMs,
    )
    this.sink = {
      store: this.store,
      setStatus: (id, status, error) => this.setStatus(id, status, error),
      recordPoints: (id, points) => this.recordPoints(id, points),
      broadcast: (update) => this.broadcast(update),
      flush: () => this.flush(),
      registerTrained: (runId, path) => void this.teachers.registerTrained(runId, path),
    }
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

  /**
   * The run as it is: a run whose engine is gone never reads as `running`, even when the row could not say so;
   * an active run between steps carries its phase (#19).
   */
  get(id: string): Run {
    const run = this.unrecorded.overlay(this.store.runs.getRun(id))
    const phase = this.phases.current(id)
    return phase ? { ...run, phase } : run
  }

  /** As `get`, for rows read elsewhere (lists). */
  present<T extends RunSummary>(run: T): T {
    return this.unrecorded.overlay(run)
  }

  /** Validates, records the config (before step 0) and queues a distillation. */
  async startDistill(input: Record<string, unknown>, options: StartOptions = {}): Promise<Run> {
    const config = parseDistillConfig(input)
    return this.queueDistill(config, await this.jobBuilder.launchTeacher(config, options.teacherScope), options)
  }

  /**
   * What launching a parsed config checks beyond the config itself, recording nothing: a distillation's
   * teacher (within `scope`) and its grid top, an image dataset in this history. ConfigError naming the field.
   */
  async checkLaunch(config: DistillConfig | TeacherConfig, scope: TeacherScope = 'anywhere'): Promise<void> {
    if ('teacher' in config) await this.jobBuilder.teacherPath(config, scope)
    this.jobBuilder.datasetDir(config.dataset)
  }

  /** Records and queues a distillation whose config and teacher are checked. */
  private queueDistill(
    config: DistillConfig,
    { path: teacherPath, gridTop }: LaunchTeacher,
    options: StartOptions,
  ): Run {
    const data = this.jobBuilder.datasetDir(config.dataset)
    // A teacher named by path is recorded by its full path, so the run resumes from any folder.
    const recorded = this.teachers.isPathSpec(config.teacher) ? { ...config, teacher: teacherPath } : config
    const run = this.store.runs.createRun({
      kind: 'distill',
      config: recorded,
      gridTop,
      appVersion: this.appVersion,
      seed: config.seed,
      tags: options.tags,
      notes: options.notes,
    })
    this.queue.setJob(run.id, { ...this.jobBuilder.freshDistillJob(run.id, recorded, teacherPath), ...data })
    return this.enqueue(run.id)
  }

  startTeacher(input: Record<string, unknown>, options: TeacherStartOptions = {}): Run {
    const config = parseTeacherConfig(input)
    const data = this.jobBuilder.datasetDir(config.dataset)
    const run = this.store.runs.createRun({
      kind: 'teacher',
      config,
      appVersion: this.appVersion,
      seed: config.seed,
      tags: options.tags,
      notes: options.notes,
    })
    this.queue.setJob(run.id, { ...this.jobBuilder.freshTeacherJob(run.id, config, options), ...data })
    return this.enqueue(run.id)
  }

  /**
   * A grid over numeric hyperparameters: one run per point of the cartesian product, all tagged
   * `sweep:<first run id>` so they can be listed and compared together.
   */
  async sweep(
    base: Record<string, unknown>,
    grid: Record<string, number[]>,
    options: StartOptions = {},
  ): Promise<Run[]> {
    // Every point is checked before any is queued, so a bad value queues nothing.
    const checked = await planSweep(
      base,
      grid,
      (config) => this.jobBuilder.teacherFile(config, options.teacherScope),
      (config, file) => this.jobBuilder.checkGridTop(config, file),
    )
    const runs: Run[] = []
    let tag: string | null = null
    for (const [i, { config, teacher }] of checked.entries()) {
      const run = this.queueDistill(config, teacher, {
        ...options,
        tags: [...(options.tags ?? []), ...(tag ? [tag] : [])],
      })
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
    if (run.status !== 'running' || !active || active.ended)
      throw new RunStateError(`run ${id} is ${run.status}, not running; only a running run can be paused`)
    active.host.pause()
  }

  /**
   * Continues a run: a paused one in its engine process; an interrupted, failed or cancelled one from its
   * last checkpoint with the same config and seed (its metrics after that checkpoint are dropped).
   */
  async resume(
    id: string,
    changes: { steps?: number } = {},
    options: { teacherScope?: TeacherScope } = {},
  ): Promise<Run> {
    const run = this.get(id)
    const active = this.active.get(id)
    if (run.status === 'paused' && active && !active.ended) {
      active.host.resume()
      return run
    }
    if (!['interrupted', 'failed', 'cancelled', 'paused'].includes(run.status)) {
      throw new RunStateError(
        `run ${id} is ${run.status}; only a paused, interrupted, failed or cancelled run can be resumed`,
      )
    }
    this.queue.setJob(id, await resumeJob(this.store, this.jobBuilder, run, changes, options.teacherScope))
    return this.enqueue(id)
  }

  /** A new run from `id`'s last checkpoint with edited hyperparameters; the parent is recorded. */
  async branch(id: string, overrides: Record<string, unknown>, options: StartOptions = {}): Promise<Run> {
    const plan = await planBranch(this.store, this.jobBuilder, id, overrides, options.teacherScope)
    const { config, checkpoint } = plan
    const run = this.store.runs.createRun({
      kind: 'distill',
      config,
      gridTop: plan.gridTop,
      appVersion: this.appVersion,
      seed: config.seed,
      parentRunId: id,
      parentKind: 'branch',
      parentStep: checkpoint.step,
      tags: options.tags,
      notes: options.notes,
    })
    this.queue.setJob(run.id, branchJob(this.store, this.jobBuilder, run.id, id, plan))
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
      this.queue.remove(id)
      return this.setStatus(id, 'cancelled')
    }
    throw new RunStateError(`run ${id} is ${run.status}; only a queued, running or paused run can be cancelled`)
  }

  /** Removes a run, its rows and its folder. A running run is stopped first. */
  async delete(id: string): Promise<void> {
    this.store.runs.getRun(id)
    this.queue.remove(id)
    const active = this.active.get(id)
    if (active) {
      active.host.kill('SIGKILL')
      await active.host.exited
    }
    const { dir } = this.store.runs.deleteRun(id)
    this.unrecorded.forget(id)
    rmSync(dir, { recursive: true, force: true })
    this.updates.forget(id)
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

  /** Names the run ('' = back to the name derived from its config); returns the name now shown. */
  rename(id: string, name: string): string {
    const shown = this.store.runs.rename(id, name)
    this.emitRun(id)
    return shown
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle()
  }

  /** Stops every engine process (running runs are checkpointed by cancel, then marked interrupted). */
  async close(): Promise<void> {
    this.queue.close()
    for (const [id, active] of this.active) {
      if (!active.ended) {
        await cancelOrKill(active.host, 5000)
        this.store.runs.updateStatus(id, 'interrupted', { error: 'the app was closed while the run was in progress' })
      }
      active.host.kill()
    }
    // Queued jobs live only in this process: their runs become resumable (from step 0) instead of waiting forever.
    for (const id of this.queue.drain()) {
      try {
        this.store.runs.updateStatus(id, 'interrupted', {
          error: 'the app was closed before the run started; resume it to start it',
        })
      } catch {
        // The next start-up's recovery marks it, as its owner is gone then.
      }
    }
    this.unrecorded.retry()
    this.unrecorded.stop()
    this.updates.flush()
    this.updates.stop()
  }

  // --- internals -----------------------------------------------------------------------------------------

  private enqueue(id: string): Run {
    const run = this.setStatus(id, 'queued')
    this.queue.push(id)
    return this.store.runs.getRun(run.id)
  }

  private launch(id: string, job: EngineJob): void {
    const host = this.createHost()
    const active: ActiveRun = { host, off: () => {}, ended: false, evalSeed: job.config.seed }
    active.off = host.on((event) => this.onEngineEvent(id, active, event))
    this.active.set(id, active)
    this.updates.start()
    this.phases.launched(id)
    host.start(job)
  }

  private onEngineEvent(id: string, active: ActiveRun, event: EngineEvent): void {
    if (event.type === 'exit') {
      active.off()
      // A resumed run may already have a new engine under the same id; only retire this one.
      if (this.active.get(id) === active) {
        this.active.delete(id)
        this.phases.ended(id)
      }
      this.flush()
      this.queue.pump()
      return
    }
    if (event.type === 'log') {
      this.broadcast({ type: 'log', runId: id, line: event.line })
      return
    }
    if (active.ended) return
    try {
      recordEngineMessage(this.sink, id, active.evalSeed, event)
    } catch (error) {
      // A store failure (a full disk, say) stops the run cleanly with the reason; the engine is told to stop.
      active.ended = true
      active.host.kill('SIGKILL')
      this.safeFail(id, `the run history could not be written: ${(error as Error).message}`)
      return
    }
    // The steps before a phase reach subscribers before it (the last ones before the final evaluation).
    if (event.type === 'progress') this.flush()
    this.phases.message(id, event)
    if (isTerminalMessage(event.type)) {
      active.ended = true
      active.host.kill()
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
    this.updates.add(id, points)
  }

  /** Sends pending metric points now; the interval stops once no engine is left. */
  private flush(): void {
    this.updates.flush(this.active.size === 0)
  }

  private emitRun(id: string): void {
    const run = this.store.runs.findRun(id)
    if (run) this.broadcast({ type: 'run', run: this.unrecorded.overlay(run) })
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

export type { DistillConfig, TeacherConfig }
