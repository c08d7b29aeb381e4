/**
 * The EngineHost of the desktop app: the engine (src-main/trainer-host/main.ts, bundled to
 * out/main/trainer-host.js) runs in an Electron utilityProcess. Same contract as ForkedEngineHost
 * (src-main/services/engine-host.ts): controls sent before the engine said `ready` are queued; every job
 * started ends with exactly one terminal event; if the process exits first the host makes up a `failed`
 * ENGINE_EXITED naming the exit code and the step reached.
 *
 * electron is not imported here: main.ts passes a `fork` function (a thin wrapper of utilityProcess.fork),
 * so test/app exercises this class under plain Node with a fake child.
 */
import { isTerminalEngineMessage, type EngineJob, type EngineMessage, type HostToEngine } from '@shared/ipc/engine-messages'
import type { EngineEvent, EngineEventHandler, EngineHost } from '../services/engine-host'

/** The part of Electron's UtilityProcess this host uses. */
export interface UtilityChildLike {
  readonly pid: number | undefined
  readonly stdout: NodeJS.ReadableStream | null
  readonly stderr: NodeJS.ReadableStream | null
  postMessage(message: unknown): void
  kill(): boolean
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own listener type
  on(event: string, listener: (...args: any[]) => void): unknown
}

export interface UtilityForkOptions {
  serviceName: string
  stdio: 'pipe'
  env?: NodeJS.ProcessEnv
}

export type UtilityFork = (modulePath: string, options: UtilityForkOptions) => UtilityChildLike

export interface UtilityEngineHostOptions {
  /** The built trainer-host entry. */
  entry: string
  fork: UtilityFork
  env?: NodeJS.ProcessEnv
  keepLogLines?: number
}

type Exit = { code: number | null; signal: NodeJS.Signals | null }

export class UtilityEngineHost implements EngineHost {
  private readonly child: UtilityChildLike
  private readonly handlers = new Set<EngineEventHandler>()
  private ready = false
  private readonly queue: HostToEngine[] = []
  private active: { runId: string; step: number; phase: string } | null = null
  private hasExited = false
  private readonly logTail: string[] = []
  private readonly keepLogLines: number
  private resolveExited: (exit: Exit) => void = () => {}
  readonly exited: Promise<Exit>

  constructor(options: UtilityEngineHostOptions) {
    this.keepLogLines = options.keepLogLines ?? 20
    this.exited = new Promise((resolve) => (this.resolveExited = resolve))
    this.child = options.fork(options.entry, {
      serviceName: 'Consistency Lab engine',
      stdio: 'pipe',
      ...(options.env ? { env: options.env } : {}),
    })
    this.child.on('message', (message: EngineMessage) => this.receive(message))
    this.child.on('exit', (code: number) => this.onExit(typeof code === 'number' ? code : null, null))
    this.pipeLines('stdout')
    this.pipeLines('stderr')
  }

  get pid(): number | undefined {
    return this.child.pid
  }

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

  /** A utilityProcess cannot be sent a chosen signal; Electron terminates it (SIGTERM on POSIX). */
  kill(_signal?: NodeJS.Signals): void {
    if (!this.hasExited) this.child.kill()
  }

  private send(message: HostToEngine): void {
    if (this.hasExited) return
    if (!this.ready) {
      this.queue.push(message)
      return
    }
    this.child.postMessage(message)
  }

  private receive(message: EngineMessage): void {
    if (this.hasExited || message === null || typeof message !== 'object') return
    if (message.type === 'ready') {
      this.ready = true
      for (const m of this.queue.splice(0)) this.child.postMessage(m)
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

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.hasExited) return
    this.hasExited = true
    const active = this.active
    if (active) {
      this.active = null
      const how = signal ? `with signal ${signal}` : `with code ${code}`
      const where = active.phase === 'training' ? `during step ${active.step + 1}` : `while ${active.phase} (after step ${active.step})`
      const lastLine = this.logTail.filter((l) => l.trim() !== '').at(-1)
      this.emit({
        type: 'failed',
        runId: active.runId,
        step: active.step,
        error: { code: 'ENGINE_EXITED', message: `engine process exited ${how} ${where}${lastLine ? `; last output: ${lastLine.trim()}` : ''}` },
      })
    }
    this.emit({ type: 'exit', code, signal })
    this.resolveExited({ code, signal })
  }

  private pipeLines(stream: 'stdout' | 'stderr'): void {
    const source = this.child[stream]
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

  private log(stream: 'stdout' | 'stderr', line: string): void {
    this.logTail.push(line)
    if (this.logTail.length > this.keepLogLines) this.logTail.shift()
    this.emit({ type: 'log', stream, line })
  }

  private emit(event: EngineEvent): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(event)
      } catch (error) {
        console.error('engine host: an event handler threw:', error)
      }
    }
  }
}
