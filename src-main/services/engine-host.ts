/**
 * The service side of the engine process: starts it, sends it jobs and controls, and turns what it says
 * (and how it dies) into EngineEvents. `ForkedEngineHost` is the Node-child flavour used by the CLI,
 * `clab serve` and tests; the desktop app can wrap an Electron utilityProcess behind the same interface
 * (src-main/trainer-host/main.ts already speaks over `process.parentPort`).
 *
 * Guarantee: every job that was started ends with exactly one terminal event (`finished`, `failed` or
 * `cancelled`). If the process exits first (kill -9, out of memory, a native crash), the host makes up a
 * `failed` with code ENGINE_EXITED naming the exit code or signal and the step it had reached.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  isTerminalEngineMessage,
  type EngineJob,
  type EngineMessage,
  type HostToEngine,
} from '@shared/ipc/engine-messages'
import { bundledEngineEntry } from '../trainer-host/bundled-entries'

/** What the engine process sent, plus what the host itself observes about the process. */
export type EngineEvent =
  | EngineMessage
  /** A line the engine process wrote to stderr or stdout (tfjs warnings, crash reports). */
  | { type: 'log'; stream: 'stdout' | 'stderr'; line: string }
  /** The process is gone; after this the host accepts no more jobs. */
  | { type: 'exit'; code: number | null; signal: NodeJS.Signals | null }

export type EngineEventHandler = (event: EngineEvent) => void

export interface EngineHost {
  /** Sends a job; throws if a job is already active or the process has exited. */
  start(job: EngineJob): void
  pause(): void
  resume(): void
  cancel(): void
  /** Subscribes to every event; returns the unsubscribe function. */
  on(handler: EngineEventHandler): () => void
  /** Ends the process (default SIGTERM). An active job then fails with ENGINE_EXITED. */
  kill(signal?: NodeJS.Signals): void
  readonly pid?: number
  /** The runId of the job started and not yet ended, if any. */
  readonly activeRunId: string | null
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** bootstrap.mjs registers tsx with the project's tsconfig, then imports trainer-host/main.ts. */
export const ENGINE_BOOTSTRAP = fileURLToPath(new URL('../trainer-host/bootstrap.mjs', import.meta.url))

export interface ForkedEngineHostOptions {
  /**
   * The script to fork; default the CLI build's engine entry while it is fresh, else ENGINE_BOOTSTRAP
   * (bundled-entries.ts). A bundled app passes its own built entry.
   */
  entry?: string
  /** Node flags for the child; default none (the parent's flags, e.g. a test runner's, are not inherited). */
  execArgv?: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Lines of child output kept for the ENGINE_EXITED message; default 20. */
  keepLogLines?: number
}

const KEEP_LOG_LINES = 20

type Exit = { code: number | null; signal: NodeJS.Signals | null }

/**
 * What every engine host does whatever the process is (a forked Node child, an Electron
 * utilityProcess): queue controls until the engine says `ready`, track the active job's step and phase,
 * keep the last lines of output, and when the process exits mid-job make up the `failed` ENGINE_EXITED
 * event that names how it exited and where. Subclasses start the process and say how to post to it.
 */
export abstract class ChildEngineHost implements EngineHost {
  private readonly handlers = new Set<EngineEventHandler>()
  private ready = false
  private readonly queue: HostToEngine[] = []
  private active: { runId: string; step: number; phase: string } | null = null
  protected hasExited = false
  private readonly logTail: string[] = []
  private resolveExited: (exit: Exit) => void = () => {}
  readonly exited: Promise<Exit>

  constructor(private readonly keepLogLines: number = KEEP_LOG_LINES) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve))
  }

  abstract get pid(): number | undefined
  abstract kill(signal?: NodeJS.Signals): void
  /** Delivers a message to the process (called only once it is ready). */
  protected abstract post(message: HostToEngine): void

  get activeRunId(): string | null {
    return this.active?.runId ?? null
  }

  on(handler: EngineEventHandler): () => void {
    this.handlers.add(handler)
    return () => this.handlers.delete(handler)
  }

  start(job: EngineJob): void {
    if (this.hasExited) throw new Error('the engine process has exited; create a new host')
    if (this.active) throw new Error(`the engine is busy with run ${this.active.runId}`)
    // Without a runId the engine could not name the run in its answer, and the job would never end.
    if (typeof job?.runId !== 'string' || job.runId === '') throw new Error('job.runId must be a non-empty string')
    this.active = { runId: job.runId, step: 0, phase: 'starting' }
    this.send({ type: 'start', job })
  }

  pause(): void {
    if (this.active) this.send({ type: 'pause' })
  }

  resume(): void {
    if (this.active) this.send({ type: 'resume' })
  }

  cancel(): void {
    if (this.active) this.send({ type: 'cancel' })
  }

  private send(message: HostToEngine): void {
    if (this.hasExited) return
    if (!this.ready) {
      this.queue.push(message)
      return
    }
    this.post(message)
  }

  protected receive(message: EngineMessage): void {
    if (this.hasExited || message === null || typeof message !== 'object') return
    if (message.type === 'ready') {
      this.ready = true
      for (const m of this.queue.splice(0)) this.post(m)
    }
    const active = this.active
    if (active && 'runId' in message && message.runId === active.runId) {
      if (message.type === 'metrics') {
        const last = message.points[message.points.length - 1]
        if (last) active.step = last.step
        active.phase = 'training'
      } else if ('step' in message) {
        active.step = message.step
        if (message.type === 'evaluation') active.phase = 'evaluation'
        if (message.type === 'paused') active.phase = 'paused'
        if (message.type === 'started' || message.type === 'resumed') active.phase = 'training'
      }
      if (isTerminalEngineMessage(message)) this.active = null
    }
    this.emit(message)
  }

  /** The process is gone: a job still active fails with ENGINE_EXITED, then `exit` is emitted. */
  protected exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.hasExited) return
    this.hasExited = true
    const active = this.active
    if (active) {
      this.active = null
      const how = signal ? `with signal ${signal}` : `with code ${code}`
      const where =
        active.phase === 'training'
          ? `during step ${active.step + 1}`
          : `while ${active.phase} (after step ${active.step})`
      const lastLine = this.logTail.filter((l) => l.trim() !== '').at(-1)
      this.emit({
        type: 'failed',
        runId: active.runId,
        step: active.step,
        error: {
          code: 'ENGINE_EXITED',
          message: `engine process exited ${how} ${where}${lastLine ? `; last output: ${lastLine.trim()}` : ''}`,
        },
      })
    }
    this.emit({ type: 'exit', code, signal })
    this.resolveExited({ code, signal })
  }

  /** Splits a child's output into lines, emitted as `log` events and kept for the ENGINE_EXITED message. */
  protected pipeLines(source: NodeJS.ReadableStream | null, stream: 'stdout' | 'stderr'): void {
    if (!source) return
    let partial = ''
    source.setEncoding('utf8')
    source.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) this.log(stream, line)
    })
    source.on('end', () => {
      if (partial) this.log(stream, partial)
      partial = ''
    })
  }

  protected log(stream: 'stdout' | 'stderr', line: string): void {
    this.logTail.push(line)
    if (this.logTail.length > this.keepLogLines) this.logTail.shift()
    this.emit({ type: 'log', stream, line })
  }

  private emit(event: EngineEvent): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(event)
      } catch (error) {
        // A listener's bug must not break the host's bookkeeping (nor crash the app): report and go on.
        console.error('engine host: an event handler threw:', error)
      }
    }
  }
}

export class ForkedEngineHost extends ChildEngineHost {
  private readonly child: ChildProcess

  constructor(options: ForkedEngineHostOptions = {}) {
    super(options.keepLogLines ?? KEEP_LOG_LINES)
    const env = options.env ?? process.env
    this.child = fork(options.entry ?? bundledEngineEntry(env) ?? ENGINE_BOOTSTRAP, [], {
      execArgv: options.execArgv ?? [],
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Structured clone, as an Electron utilityProcess port uses: the same messages work on both.
      serialization: 'advanced',
    })
    this.child.on('message', (message: EngineMessage) => this.receive(message))
    this.pipeLines(this.child.stdout, 'stdout')
    this.pipeLines(this.child.stderr, 'stderr')
    // 'close' comes after the IPC channel and stdio have drained, so a last `failed` is seen first.
    this.child.once('close', (code, signal) => this.exit(code, signal))
    this.child.once('error', (error) => {
      // fork failed outright (no 'close' follows when the process never spawned).
      if (this.child.pid === undefined) {
        this.log('stderr', `engine process could not start: ${error.message}`)
        this.exit(null, null)
      }
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.hasExited) this.child.kill(signal)
  }

  protected post(message: HostToEngine): void {
    this.child.send(message)
  }
}
