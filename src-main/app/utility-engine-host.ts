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
import type { EngineMessage, HostToEngine } from '@shared/ipc/engine-messages'
import { ChildEngineHost } from '../services/engine-host'

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

export class UtilityEngineHost extends ChildEngineHost {
  private readonly child: UtilityChildLike

  constructor(options: UtilityEngineHostOptions) {
    super(options.keepLogLines ?? 20)
    this.child = options.fork(options.entry, {
      serviceName: 'Consistency Lab engine',
      stdio: 'pipe',
      ...(options.env ? { env: options.env } : {}),
    })
    this.child.on('message', (message: EngineMessage) => this.receive(message))
    this.child.on('exit', (code: number) => this.exit(typeof code === 'number' ? code : null, null))
    this.pipeLines(this.child.stdout, 'stdout')
    this.pipeLines(this.child.stderr, 'stderr')
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  /** A utilityProcess cannot be sent a chosen signal; Electron terminates it (SIGTERM on POSIX). */
  kill(_signal?: NodeJS.Signals): void {
    if (!this.hasExited) this.child.kill()
  }

  protected post(message: HostToEngine): void {
    this.child.postMessage(message)
  }
}
