/**
 * The runs waiting for an engine, with the jobs they will start with. Runs start in order while fewer than
 * `concurrency` engines work; the queue lives only in this process, so closing it hands the waiting runs back
 * to be marked resumable.
 */
import type { EngineJob } from '@shared/ipc/engine-messages'
import type { ActiveRun } from './active-run'

export class RunQueue {
  private readonly ids: string[] = []
  private readonly jobs = new Map<string, EngineJob>()
  private readonly idleWaiters: Array<() => void> = []
  private closed = false

  constructor(
    private readonly concurrency: number,
    /** The engines at work, as RunService holds them (a retired one still counts until it exits). */
    private readonly active: ReadonlyMap<string, ActiveRun>,
    private readonly launch: (id: string, job: EngineJob) => void,
  ) {}

  /** The job the run starts with when its turn comes (set before it is queued). */
  setJob(id: string, job: EngineJob): void {
    this.jobs.set(id, job)
  }

  push(id: string): void {
    this.ids.push(id)
    this.pump()
  }

  remove(id: string): void {
    const index = this.ids.indexOf(id)
    if (index >= 0) this.ids.splice(index, 1)
  }

  /** Starts what a free engine slot allows; resolves the idle waiters once nothing is queued or running. */
  pump(): void {
    while (!this.closed && this.runningCount() < this.concurrency && this.ids.length > 0) {
      const id = this.ids.shift() as string
      const job = this.jobs.get(id)
      this.jobs.delete(id)
      if (!job) continue
      this.launch(id, job)
    }
    if (this.ids.length === 0 && this.active.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.ids.length === 0 && this.active.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Starts nothing more (engines that exit while the app closes free no slot). */
  close(): void {
    this.closed = true
  }

  /** Empties the queue, returning the runs that were waiting. */
  drain(): string[] {
    return this.ids.splice(0)
  }

  /** Engines still working on a job (a retired engine that has not exited yet does not count). */
  private runningCount(): number {
    let n = 0
    for (const active of this.active.values()) if (!active.ended) n++
    return n
  }
}
