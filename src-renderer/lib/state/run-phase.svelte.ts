/**
 * The Live view's phase of its run (#19): what it waits on between steps (the engine starting, the final
 * evaluation after the last step, ...), from the run as read (runs.get carries an active run's phase) and the
 * `phase` events after, with a clock for the elapsed time that ticks only while a phase is shown.
 */
import type { ApiEvent, RunPhase } from '@shared/ipc/api'
import { PHASE_LABELS, phaseText } from '@shared/ipc/run-phase-text'

const TICK_MS = 250

export class RunPhaseState {
  phase = $state.raw<RunPhase | null>(null)
  /** The clock the elapsed time is read against. */
  now = $state(0)
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    readonly runId: string,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** `final evaluation: 3 of 7 models x NFE, 12.4 s`; null when no phase is shown. */
  get text(): string | null {
    return this.phase ? phaseText(this.phase, Math.max(this.now, this.phase.since)) : null
  }

  get label(): string | null {
    return this.phase ? PHASE_LABELS[this.phase.name] : null
  }

  /** Done of total as a fraction for a counted phase; null otherwise. */
  get fraction(): number | null {
    const p = this.phase
    return p && p.total > 0 ? Math.min(1, p.done / p.total) : null
  }

  /** The phase of the run as read (an active run between steps has one; any other none). */
  fromRun(run: { phase?: RunPhase | null }): void {
    this.set(run.phase ?? null)
  }

  onEvent(event: ApiEvent): void {
    if (event.type === 'phase' && event.runId === this.runId) this.set(event.phase)
    // A run that ended has no phase left, whatever event was missed.
    if (event.type === 'run' && event.run.id === this.runId && !['queued', 'running'].includes(event.run.status))
      this.set(null)
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  private set(phase: RunPhase | null): void {
    this.phase = phase
    this.now = this.clock()
    if (phase && !this.timer) this.timer = setInterval(() => (this.now = this.clock()), TICK_MS)
    if (!phase) this.dispose()
  }
}
