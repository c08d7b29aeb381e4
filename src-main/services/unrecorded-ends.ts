/**
 * How a run ended when the history could not take it (a full disk, an unwritable file): the row still says
 * `running`, but its engine is gone. The end is held here, shown in place of the stale status (a run whose
 * engine is gone is never `running`), and written as soon as the store takes it again.
 */
import type { RunStatus, RunSummary } from '@shared/store/types'

interface End {
  status: RunStatus
  error: string
}

/** Statuses a held end replaces: the ones that claim an engine is working on the run. */
const LIVE_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused']

export class UnrecordedEnds {
  private readonly ends = new Map<string, End>()
  private timer: NodeJS.Timeout | null = null

  /** `write` stores an end (throws while the store cannot); `recorded` hears of each one written. */
  constructor(
    private readonly write: (id: string, end: End) => void,
    private readonly recorded: (id: string) => void,
    private readonly retryMs = 1000,
  ) {}

  /** Keeps `id`'s end and retries writing it every retryMs until the store takes it. */
  hold(id: string, status: RunStatus, error: string): void {
    this.ends.set(id, { status, error })
    this.timer ??= setInterval(() => this.retry(), this.retryMs)
    this.timer.unref()
  }

  /** The run's status was written some other way (a resume, a delete): nothing left to hold. */
  forget(id: string): void {
    this.ends.delete(id)
    if (this.ends.size === 0) this.stop()
  }

  has(id: string): boolean {
    return this.ends.has(id)
  }

  /** The run as it really is: a held end replaces a status that claims a live engine. */
  overlay<T extends RunSummary>(run: T): T {
    const end = this.ends.get(run.id)
    if (!end || !LIVE_STATUSES.includes(run.status)) return run
    return { ...run, status: end.status, error: end.error }
  }

  /** Tries to write every held end; the ones written are forgotten. */
  retry(): void {
    for (const [id, end] of [...this.ends]) {
      try {
        this.write(id, end)
      } catch {
        continue
      }
      this.forget(id)
      this.recorded(id)
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }
}
