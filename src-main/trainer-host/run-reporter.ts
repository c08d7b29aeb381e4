/**
 * What a running job tells its host: every message goes out after the metric points before it (so the host
 * sees steps before the checkpoint or evaluation that follows them), with the run's id, and the time axis
 * leaves paused stretches out.
 */
import type { EngineMessage, EngineProgressPhase } from '@shared/ipc/engine-messages'
import { PREVIEW_NOISE_SEED } from '@shared/store/types'
import type { DataShape } from '../engine/data-source'
import type { PreviewSet } from '../engine/preview'
import { writeFinalSamples, writePreviewGrid, writeRunFile } from '../files/run-sample-files'
import type { JobContext } from './job-error'
import { MetricsBatcher } from './metrics-batcher'

/** How often `progress` messages may go out. */
const PROGRESS_EVERY_MS = 100

/** Training time, with paused stretches left out. */
export class ActiveClock {
  private before = 0
  private since: number | null = null

  constructor(private readonly offset = 0) {}

  start(): void {
    this.since ??= performance.now()
  }

  stop(): void {
    if (this.since !== null) this.before += performance.now() - this.since
    this.since = null
  }

  get ms(): number {
    return this.offset + this.before + (this.since === null ? 0 : performance.now() - this.since)
  }
}

export class RunReporter {
  readonly clock: ActiveClock
  private readonly metrics: MetricsBatcher

  constructor(
    readonly runId: string,
    private readonly ctx: JobContext,
    wallMsOffset = 0,
  ) {
    this.clock = new ActiveClock(wallMsOffset)
    this.metrics = new MetricsBatcher((points) => ctx.emit({ type: 'metrics', runId, points }))
  }

  get control(): JobContext['control'] {
    return this.ctx.control
  }

  /** Sends `message` after the metric points collected so far. */
  readonly emit = (message: EngineMessage): void => {
    this.metrics.flush()
    this.ctx.emit(message)
  }

  /** Sends what is still batched (before a terminal message or a failure). */
  flush(): void {
    this.metrics.flush()
  }

  /** Marks `step` as reached without a metric point (a resumed run before its first step). */
  at(step: number): void {
    this.ctx.step = step
  }

  /** `wallMs`: when the step was taken, if its loss is reported later (loss-reader.ts); default now. */
  step(result: { step: number; loss: number; lr: number }, wallMs = this.clock.ms): void {
    this.ctx.step = result.step
    this.metrics.add({ step: result.step, loss: result.loss, lr: result.lr, wallMs })
  }

  checkpoint(path: string, bytes: Uint8Array, step: number, role: 'latest' | 'final' | 'teacher'): void {
    writeRunFile(path, bytes)
    this.emit({ type: 'checkpoint', runId: this.runId, step, path, bytes: bytes.length, role })
  }

  /** Writes the final sample files (held-out data, the teacher's K = 100, the student's NFEs) and reports each. */
  finalSamples(
    samplesDir: string,
    step: number,
    data: DataShape,
    reference: { heldOut: Float32Array; k100: Float32Array },
    student: ReadonlyMap<number, Float32Array>,
  ): void {
    writeFinalSamples(samplesDir, data, reference, student, (s) =>
      this.emit({
        type: 'samples',
        runId: this.runId,
        step,
        model: s.model,
        nfe: s.nfe,
        path: s.path,
        ...(s.kind ? { kind: s.kind } : {}),
      }),
    )
  }

  /**
   * One `preview` message per sample set; `swd` holds the figures of the sets that were scored, by NFE. Image
   * sets travel as PNG grids written to `samplesDir/previews`, not as numbers.
   */
  preview(
    step: number,
    sets: readonly PreviewSet[],
    swd: ReadonlyMap<number, number>,
    data: DataShape,
    samplesDir: string,
  ): void {
    const wallMs = this.clock.ms
    const image = data.image
    // Every file is written before any message goes out: a set that cannot be written sends none of them.
    const messages: EngineMessage[] = sets.map((set) => {
      const base = {
        type: 'preview' as const,
        runId: this.runId,
        step,
        model: set.model,
        nfe: set.nfe,
        swd: swd.get(set.nfe) ?? null,
        ...(set.precision !== undefined ? { precision: set.precision } : {}),
        noiseSeed: PREVIEW_NOISE_SEED,
        wallMs,
      }
      if (!image) return { ...base, points: Array.from(set.points) }
      return {
        ...base,
        points: [],
        imagePath: writePreviewGrid(samplesDir, step, set.model, set.nfe, set.points, image),
      }
    })
    for (const message of messages) this.emit(message)
  }

  /** `progress` messages of one phase, at most every PROGRESS_EVERY_MS, and always the last (`done === total`). */
  progress(phase: EngineProgressPhase): (done: number, total: number) => void {
    let last = -Infinity
    return (done, total) => {
      const now = performance.now()
      if (done < total && now - last < PROGRESS_EVERY_MS) return
      last = now
      this.emit({ type: 'progress', runId: this.runId, phase, done, total })
    }
  }
}
