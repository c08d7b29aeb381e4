/**
 * What each active run is doing between its steps (#19, RunPhase): from launch to the first step (the engine
 * starting and loading its backend, then preparing), the engine's progress phases, and the final evaluation
 * after the last step. Derived from the engine's messages and broadcast as `phase` updates, so the Live view
 * and the CLI show a waiting run as waiting on something, with its elapsed time.
 */
import type { RunPhase, RunPhaseName } from '@shared/ipc/api'
import type { EngineMessage } from '@shared/ipc/engine-messages'
import type { RunUpdate } from './run-types'

export class RunPhases {
  private readonly phases = new Map<string, RunPhase>()

  constructor(
    private readonly broadcast: (update: RunUpdate) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The phase a run is in now (null: training steps, or not active). */
  current(runId: string): RunPhase | null {
    return this.phases.get(runId) ?? null
  }

  /** The run's engine is being started. */
  launched(runId: string): void {
    this.enter(runId, 'engine', 0, 0)
  }

  /** Follows an engine message of the run. */
  message(runId: string, message: EngineMessage): void {
    switch (message.type) {
      case 'started':
        this.enter(runId, 'preparing', 0, 0)
        break
      case 'progress':
        this.enter(runId, message.phase, message.done, message.total)
        break
      case 'metrics':
        // Steps again: the phases before the first step (and a pause's) are over; the final evaluation
        // comes after the last step's points, so points flushed late do not end it.
        if (this.phases.has(runId) && this.phases.get(runId)?.name !== 'evaluation') this.leave(runId)
        break
      case 'finished':
      case 'failed':
      case 'cancelled':
        this.leave(runId)
        break
      default:
        break
    }
  }

  /** The run's engine is gone (whatever it said last). */
  ended(runId: string): void {
    this.leave(runId)
  }

  private enter(runId: string, name: RunPhaseName, done: number, total: number): void {
    const previous = this.phases.get(runId)
    const phase = { name, done, total, since: previous?.name === name ? previous.since : this.now() }
    this.phases.set(runId, phase)
    this.broadcast({ type: 'phase', runId, phase })
  }

  private leave(runId: string): void {
    if (!this.phases.delete(runId)) return
    this.broadcast({ type: 'phase', runId, phase: null })
  }
}
