/**
 * The engine process (ARCHITECTURE.md "Processes"): runs one job at a time off the app's main thread and
 * streams what happens as messages (@shared/ipc/engine-messages). Started as a forked Node child (through
 * bootstrap.mjs, see src-main/services/engine-host.ts) or as an Electron utilityProcess; `selectPort`
 * picks the channel.
 *
 * Expected failures (bad job, missing teacher, NaN loss, disk full) end the job with `failed` and leave the
 * process ready for the next one. Anything unexpected is reported as `failed` INTERNAL, then the process
 * exits with code 1: tfjs state after an unknown error is not worth trusting.
 */
import {
  describeMessageError,
  HostToEngineSchema,
  type EngineError,
  type EngineJob,
  type EngineMessage,
} from '@shared/ipc/engine-messages'
import { selectPort, type MessagePortLike } from './port'
import type { JobContext, JobControl } from './run-job'

type RunJobModule = typeof import('./run-job')

class EngineProcess implements JobControl {
  private job: EngineJob | null = null
  private ctx: JobContext | null = null
  private pause = false
  private cancel = false
  private paused: ((choice: 'resume' | 'cancel') => void) | null = null
  private exiting = false

  constructor(
    private readonly port: MessagePortLike,
    /** Loading tfjs takes a while: it starts at once, and a job waits for it only after validation. */
    private readonly runner: Promise<RunJobModule>,
  ) {}

  get pauseRequested(): boolean {
    return this.pause
  }

  get cancelRequested(): boolean {
    return this.cancel
  }

  waitWhilePaused(): Promise<'resume' | 'cancel'> {
    if (this.cancel) return Promise.resolve('cancel')
    return new Promise((resolve) => {
      this.paused = (choice) => {
        this.paused = null
        this.pause = false
        resolve(choice)
      }
    })
  }

  send(message: EngineMessage): void {
    this.port.post(message)
  }

  listen(): void {
    this.port.onMessage((raw) => this.receive(raw))
    // The host went away (it crashed or closed the channel): nobody is left to report to.
    this.port.onDisconnect(() => process.exit(0))
    this.send({ type: 'ready', pid: process.pid })
  }

  private receive(raw: unknown): void {
    const parsed = HostToEngineSchema.safeParse(raw)
    if (!parsed.success) {
      // A bad start still names its run when it can, so the host can fail that run with the reason.
      const runId = startRunId(raw)
      if (runId !== null) this.fail(runId, 0, { code: 'INVALID_JOB', message: describeMessageError(parsed.error, raw) })
      else process.stderr.write(`engine: ignored invalid message: ${describeMessageError(parsed.error, raw)}\n`)
      return
    }
    const message = parsed.data
    switch (message.type) {
      case 'start':
        void this.start(message.job as EngineJob)
        break
      case 'pause':
        if (this.job && !this.cancel) this.pause = true
        break
      case 'resume':
        if (this.paused) this.paused('resume')
        else this.pause = false // A pause not yet reached is simply withdrawn.
        break
      case 'cancel':
        if (!this.job) break
        this.cancel = true
        this.paused?.('cancel')
        break
    }
  }

  private async start(job: EngineJob): Promise<void> {
    if (this.job) {
      this.fail(job.runId, 0, { code: 'BUSY', message: `the engine is running ${this.job.runId}; one job at a time` })
      return
    }
    this.job = job
    this.pause = false
    this.cancel = false
    const ctx: JobContext = { emit: (m) => this.send(m), control: this, step: 0 }
    this.ctx = ctx
    try {
      const { runDistillJob, runTeacherJob } = await this.runner
      const terminal = job.kind === 'distill' ? await runDistillJob(job, ctx) : await runTeacherJob(job, ctx)
      this.send(terminal)
    } catch (error) {
      const { JobError } = await this.runner.catch(() => ({ JobError: null }))
      if (JobError && error instanceof JobError) {
        this.fail(job.runId, ctx.step, { code: error.code, message: error.message })
      } else {
        await this.crash(error)
        return
      }
    } finally {
      if (!this.exiting) {
        this.job = null
        this.ctx = null
        this.paused = null
      }
    }
  }

  private fail(runId: string, step: number, error: EngineError): void {
    this.send({ type: 'failed', runId, step, error })
  }

  /** Reports an unexpected error against the current job (if any), then exits with code 1. */
  async crash(error: unknown): Promise<void> {
    if (this.exiting) return
    this.exiting = true
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    process.stderr.write(`engine: ${error instanceof Error && error.stack ? error.stack : message}\n`)
    if (this.job) this.fail(this.job.runId, this.ctx?.step ?? 0, { code: 'INTERNAL', message })
    await Promise.race([this.port.drain(), new Promise((resolve) => setTimeout(resolve, 2000))])
    process.exit(1)
  }
}

function startRunId(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object') return null
  const m = raw as { type?: unknown; job?: { runId?: unknown } }
  return m.type === 'start' && typeof m.job?.runId === 'string' && m.job.runId !== '' ? m.job.runId : null
}

const runner = import('./run-job')
// Surfaces at the first job (as INTERNAL); without this the rejection would be unhandled at startup.
runner.catch(() => {})

const engine = new EngineProcess(selectPort(), runner)
process.on('uncaughtException', (error) => void engine.crash(error))
process.on('unhandledRejection', (reason) => void engine.crash(reason))
engine.listen()
