/**
 * The training loss, read a few steps behind. A synchronous read (dataSync) stalls a GPU pipeline on every
 * step and does not exist at all on tfjs-webgpu under Node (no OffscreenCanvas). So each step's loss starts
 * its read at once (on webgpu the copy is queued right behind that step's kernels) and is awaited only
 * `lag` steps later, when it is normally long done; the guard against a non-finite loss runs then.
 *
 * The price: a NaN is seen `lag` steps late, when the weights may already hold it. The run stops there all
 * the same, naming the step, and nothing poisoned is ever written: a checkpoint first settles every loss
 * up to its step (Distiller.snapshot, TeacherTrainer.snapshot), so the last one written is a good one.
 */
import { tf } from './tf'

/** How many steps a loss is read behind its step. */
export const LOSS_LAG = 3

interface Pending<R> {
  result: R
  loss: tf.Scalar
  values: Promise<tf.TypedArray>
}

export class LaggedLosses<R extends { step: number }> {
  private pending: Array<Pending<R>> = []
  /** Losses read (by a snapshot's settle) but not yet handed to the caller. */
  private ready: Array<R & { loss: number }> = []
  private failure: Error | null = null

  constructor(
    private readonly onNonFinite: (step: number, value: number) => Error,
    private readonly lag = LOSS_LAG,
  ) {}

  /** Takes ownership of `loss` (a scalar the caller must not dispose) and starts reading it. */
  push(result: R, loss: tf.Scalar): void {
    this.pending.push({ result, loss, values: loss.data() })
  }

  /** Steps whose loss is not read yet. */
  get unread(): number {
    return this.pending.length
  }

  /** The first non-finite loss seen, if any: the trainer is then unusable. */
  get failed(): Error | null {
    return this.failure
  }

  /**
   * Reads the losses older than the last `keep` steps (every one with keep 0) and returns, in step order,
   * every result not handed out before. Throws the trainer's non-finite error at the first bad loss.
   */
  async take(keep = this.lag): Promise<Array<R & { loss: number }>> {
    if (this.failure) throw this.failure
    while (this.pending.length > keep) {
      const next = this.pending.shift() as Pending<R>
      const values = await next.values
      next.loss.dispose()
      const loss = values[0] as number
      if (!Number.isFinite(loss)) {
        this.failure = this.onNonFinite(next.result.step, loss)
        this.dispose()
        throw this.failure
      }
      this.ready.push({ ...next.result, loss })
    }
    const out = this.ready
    this.ready = []
    return out
  }

  /** Reads every loss, keeping the results for the next take(): what a checkpoint does before it reads weights. */
  async settle(): Promise<void> {
    const read = await this.take(0)
    this.ready = read
  }

  /**
   * Frees the unread losses. Safe with a read in flight: its copy was queued when the read started, and
   * the pending promises are settled quietly so nothing rejects unobserved.
   */
  dispose(): void {
    const left = this.pending
    this.pending = []
    for (const p of left) {
      p.values.catch(() => undefined)
      p.loss.dispose()
    }
  }
}
