/**
 * Bucket arithmetic and exact folding for downsampled metric series (pure; metrics-repo.ts feeds it).
 *
 * The step range [from, to] is cut into `n` equal-width buckets: step s falls in bucket
 * floor((s - from) * n / span), span = to - from + 1, so bucket i covers
 * [from + ceil(i * span / n), from + ceil((i + 1) * span / n) - 1]. When span < n some buckets are empty
 * and are left out of the result.
 */
import type { MetricBucket } from '@shared/store/types'

export class BucketGrid {
  readonly span: number

  constructor(
    readonly from: number,
    readonly to: number,
    readonly n: number,
  ) {
    this.span = to - from + 1
  }

  indexOf(step: number): number {
    return Math.floor(((step - this.from) * this.n) / this.span)
  }

  start(index: number): number {
    return this.from + Math.ceil((index * this.span) / this.n)
  }

  end(index: number): number {
    return this.from + Math.ceil(((index + 1) * this.span) / this.n) - 1
  }
}

/** A run of consecutive points summarised: a stored block, or a single point. Values null = NaN. */
export interface Summary {
  firstStep: number
  lastStep: number
  count: number
  first: number | null
  last: number | null
  min: number | null
  max: number | null
}

/** Folds summaries, fed in increasing step order, into buckets. */
export class BucketFolder {
  readonly out: MetricBucket[] = []
  private current: MetricBucket | undefined

  constructor(readonly grid: BucketGrid) {}

  /** One point (value null = NaN). */
  addPoint(step: number, value: number | null): void {
    const index = this.grid.indexOf(step)
    const v = value === null ? Number.NaN : value
    let b = this.current
    if (b === undefined || b.index !== index) b = this.open(index, step, v)
    b.count++
    b.lastStep = step
    b.last = v
    if (value !== null) {
      if (b.min === null || value < b.min) b.min = value
      if (b.max === null || value > b.max) b.max = value
    }
  }

  /** A whole bucket computed elsewhere (in SQL); buckets must arrive in increasing order. */
  addBucket(index: number, s: Summary): void {
    const b = this.open(index, s.firstStep, s.first === null ? Number.NaN : s.first)
    b.count = s.count
    b.lastStep = s.lastStep
    b.last = s.last === null ? Number.NaN : s.last
    b.min = s.min
    b.max = s.max
  }

  private open(index: number, step: number, value: number): MetricBucket {
    const b: MetricBucket = {
      index,
      start: this.grid.start(index),
      end: this.grid.end(index),
      count: 0,
      firstStep: step,
      lastStep: step,
      first: value,
      last: value,
      min: null,
      max: null,
      // Filled in by the repository (one index seek per bucket), which knows where wall times live.
      lastWallMs: 0,
    }
    this.out.push(b)
    this.current = b
    return b
  }
}
