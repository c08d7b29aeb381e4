/**
 * Collects per-step metric points and sends them in batches: at most every METRICS_FLUSH_MS, or when
 * METRICS_FLUSH_POINTS have piled up. The engine loop is synchronous between its yields, so the time check
 * happens on each added point rather than on a timer; `flush()` is called before every other message so
 * the host sees steps before the checkpoint or evaluation that follows them.
 */
import { METRICS_FLUSH_MS, METRICS_FLUSH_POINTS, type MetricPoint } from '@shared/ipc/engine-messages'

export class MetricsBatcher {
  private points: MetricPoint[] = []
  private lastFlush: number

  constructor(
    private readonly send: (points: MetricPoint[]) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly maxMs = METRICS_FLUSH_MS,
    private readonly maxPoints = METRICS_FLUSH_POINTS,
  ) {
    this.lastFlush = now()
  }

  add(point: MetricPoint): void {
    this.points.push(point)
    if (this.points.length >= this.maxPoints || this.now() - this.lastFlush >= this.maxMs) this.flush()
  }

  flush(): void {
    this.lastFlush = this.now()
    if (this.points.length === 0) return
    const batch = this.points
    this.points = []
    this.send(batch)
  }
}
