/**
 * Metric points on their way to subscribers: collected per run and sent as one update per interval, so a
 * run streaming hundreds of steps a second costs a client at most 1000 / intervalMs updates per second.
 */
import type { MetricPoint } from '@shared/store/types'

export class MetricUpdates {
  private readonly pending = new Map<string, MetricPoint[]>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly send: (runId: string, points: MetricPoint[]) => void,
    private readonly intervalMs: number,
  ) {}

  /** Queues points for the next update; starts the interval if it is not running. */
  add(runId: string, points: MetricPoint[]): void {
    const pending = this.pending.get(runId)
    if (pending) pending.push(...points)
    else this.pending.set(runId, points)
    this.start()
  }

  /** The interval runs while engines do (points can only come from them). */
  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.flush(), this.intervalMs)
    this.timer.unref()
  }

  /** Sends each run's pending points as one update; `idle` also stops the interval. */
  flush(idle = false): void {
    for (const [runId, points] of this.pending) if (points.length > 0) this.send(runId, points)
    this.pending.clear()
    if (idle) this.stop()
  }

  forget(runId: string): void {
    this.pending.delete(runId)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }
}
