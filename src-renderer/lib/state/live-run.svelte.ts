/**
 * State of the live run view: the run, its loss and live-quality curves (history from exact buckets, then
 * the streamed points), speed and ETA, the newest sample previews with their points, the final
 * evaluations, and the run's controls. Streamed points are batched and applied at most every `flushMs`
 * (the backend sends up to 10 updates per second), and every array lives in `$state.raw`, replaced
 * rather than mutated, so a frame only rebuilds the chart configs derived from it.
 */
import type { ApiClient, ApiEvent } from '@shared/ipc/api'
import type { DistillConfig } from '@shared/config/schemas'
import type { EvaluationRecord, MetricPoint, Run, RunSummary, SampleRecord } from '@shared/store/types'
import { TERMINAL_STATUSES } from '@shared/store/types'
import { callOn } from '../api'
import { appendToCurve, curveFromBuckets, EMPTY_CURVE, seriesCsv, type Curve, type XY } from '../charts/loss-curve'
import { previewSteps, selectSamples, shownSamples, toXY, type SampleSelection } from '../charts/sample-scatter'
import { stepAtIndex, stopIndex } from '../step-stops'
import { imageDatasetId, isImageDatasetRef } from '@shared/data/dataset-ref'
import type { ImageDatasetRecord } from '@shared/data/images'
import { etaMs, RATE_WINDOW_MS, stepsPerSecond, type TimedStep } from '../eta'
import { errorText } from '../error-text'
import { RunsStore, withSummary } from './runs-store.svelte'
import { RunPhaseState } from './run-phase.svelte'

export const LOSS_KEY = 'loss'
/**
 * Preview quality series: the student at 1 and 2 steps; a teacher run's own 20-step samples. SWD, and for
 * 2D the k-NN precision (#17), which sees samples off the data's support that SWD misses.
 */
export const QUALITY_KEYS = ['swd/nfe1', 'swd/nfe2', 'swd/nfe20', 'prec/nfe1', 'prec/nfe2', 'prec/nfe20'] as const
export type QualityKey = (typeof QUALITY_KEYS)[number]
const qualityCurves = (curve: (key: QualityKey, i: number) => Curve) =>
  Object.fromEntries(QUALITY_KEYS.map((key, i) => [key, curve(key, i)])) as Record<QualityKey, Curve>
export const INITIAL_BUCKETS = 1000
/** Recent log lines kept for the view (a failed run's last lines explain it). */
export const LOG_LINES = 200

export interface LiveRunOptions {
  /** Batching interval of streamed points (ms). */
  flushMs?: number
  /** The clock for points that arrive without a wall time. */
  now?: () => number
  /** The renderer's runs (one subscription, shared with the other views); by default one over `api`. */
  store?: RunsStore
}

const isTerminal = (status: string) => (TERMINAL_STATUSES as readonly string[]).includes(status)

export class LiveRunState {
  /** The run as read with its config (runs.get, an action's answer). */
  private readRun = $state.raw<Run | null>(null)
  /** Whether the run was read or an event named it: until then it is unknown here, whatever the store has. */
  private known = $state(false)
  /** The run: its config as read, its summary (status, dates, tags, notes) the store's. */
  readonly run: Run | null
  loss = $state.raw<Curve>(EMPTY_CURVE)
  quality = $state.raw<Record<QualityKey, Curve>>(qualityCurves(() => EMPTY_CURVE))
  /** The newest step a metric was logged for. */
  step = $state(0)
  /** (step, wall time) of recent points, for the speed. */
  timings = $state.raw<TimedStep[]>([])
  samples = $state.raw<SampleRecord[]>([])
  /** Points of loaded samples by sample id. */
  points = $state.raw<ReadonlyMap<number, XY[]>>(new Map())
  /** PNG bytes of loaded image samples by sample id. */
  pngs = $state.raw<ReadonlyMap<number, Uint8Array>>(new Map())
  /** The preview step chosen with the slider; null follows the newest preview. */
  previewStep = $state<number | null>(null)
  /** The image dataset of an image run (its name and shape), once listed. */
  imageDataset = $state.raw<ImageDatasetRecord | null>(null)
  evaluations = $state.raw<EvaluationRecord[]>([])
  logs = $state.raw<string[]>([])
  loading = $state(true)
  loadError = $state<string | null>(null)
  samplesError = $state<string | null>(null)
  actionError = $state<string | null>(null)
  busy = $state(false)

  private pending: MetricPoint[] = []
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private unsubscribe: (() => void) | null = null
  private loaded = false
  private readonly inflight = new Set<number>()
  private readonly flushMs: number
  private readonly now: () => number
  private readonly store: RunsStore
  /** What the run waits on between steps (#19): starting, the final evaluation. */
  readonly phase: RunPhaseState

  constructor(
    private readonly api: ApiClient,
    readonly id: string,
    options: LiveRunOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 100
    this.now = options.now ?? (() => Date.now())
    this.store = options.store ?? new RunsStore(api)
    this.phase = new RunPhaseState(id)
    this.run = $derived(this.known ? runOf(this.readRun, this.store.summary(this.id)) : null)
  }

  get status(): string {
    return this.run?.status ?? 'unknown'
  }

  get totalSteps(): number | null {
    const steps = (this.run?.config as { steps?: unknown } | undefined)?.steps
    return typeof steps === 'number' ? steps : null
  }

  get config(): Partial<DistillConfig> {
    return (this.run?.config ?? {}) as Partial<DistillConfig>
  }

  get stepsPerSecond(): number | null {
    return this.status === 'running' ? stepsPerSecond(this.timings) : null
  }

  get etaMs(): number | null {
    const total = this.totalSteps
    return total === null ? null : etaMs(this.step, total, this.stepsPerSecond)
  }

  get canPause(): boolean {
    // After the last step there is nothing left to pause: the final evaluation runs to the end.
    return this.status === 'running' && this.phase.phase?.name !== 'evaluation'
  }

  get canResume(): boolean {
    return (
      this.status === 'paused' ||
      (this.run?.kind === 'distill' && ['interrupted', 'failed', 'cancelled'].includes(this.status))
    )
  }

  get canCancel(): boolean {
    return ['queued', 'running', 'paused'].includes(this.status)
  }

  get canBranch(): boolean {
    return this.run?.kind === 'distill' && this.status !== 'queued'
  }

  get finished(): boolean {
    return isTerminal(this.status)
  }

  /** Whether the run trains on an imported image dataset (its samples are PNG grids). */
  get isImage(): boolean {
    const dataset = this.config.dataset
    return (typeof dataset === 'string' && isImageDatasetRef(dataset)) || this.samples.some((s) => s.kind === 'png')
  }

  private get format(): 'points' | 'png' {
    return this.isImage ? 'png' : 'points'
  }

  /** The steps with previews (the slider's stops), ascending. */
  readonly previewSteps: number[] = $derived(previewSteps(this.samples, this.format))

  /** The slider's position: the chosen step's index, or the last stop when following the newest. */
  readonly previewIndex: number = $derived(stopIndex(this.previewSteps, this.previewStep))

  /** Moves the slider to stop `index`; the last stop follows new previews as they arrive. */
  setPreviewIndex(index: number): void {
    const step = stepAtIndex(this.previewSteps, index)
    if (step === undefined) return
    this.previewStep = step
    void this.loadSelected()
  }

  /** Computed once per change of the samples or the slider, not on every read (the view reads it often). */
  readonly selection: SampleSelection = $derived(
    selectSamples(this.samples, { step: this.previewStep, format: this.format }),
  )

  /** Subscribes first (events that arrive during the load are kept), then reads the history. */
  async load(): Promise<void> {
    this.unsubscribe = this.store.listen((event, before) => this.onEvent(event, before))
    try {
      this.setRead(await callOn(this.api, 'runs.get', { id: this.id }))
      const [loss, ...quality] = await Promise.all(
        [LOSS_KEY, ...QUALITY_KEYS].map((key) =>
          callOn(this.api, 'metrics.downsampled', { runId: this.id, key, buckets: INITIAL_BUCKETS }),
        ),
      )
      const lossBuckets = loss ?? []
      this.loss = curveFromBuckets(lossBuckets)
      this.quality = qualityCurves((_, i) => curveFromBuckets(quality[i] ?? []))
      const last = lossBuckets[lossBuckets.length - 1]
      this.step = Math.max(this.step, last?.lastStep ?? 0)
      this.timings = lossBuckets.map((b) => ({ step: b.lastStep, wallMs: b.lastWallMs }))
      this.loaded = true
      this.flush()
    } catch (error) {
      this.loadError = errorText(error)
    } finally {
      this.loading = false
    }
    await Promise.all([
      this.loadSamples(),
      this.finished ? this.loadEvaluations() : Promise.resolve(),
      this.loadImageDataset(),
    ])
  }

  async loadSamples(): Promise<void> {
    try {
      this.samples = await callOn(this.api, 'samples.list', { runId: this.id })
      this.samplesError = null
      await this.loadSelected()
    } catch (error) {
      this.samplesError = `samples: ${errorText(error)}`
    }
  }

  /** The image dataset's record (name, shape) for an image run; a failure only loses the name. */
  private async loadImageDataset(): Promise<void> {
    const dataset = this.config.dataset
    if (typeof dataset !== 'string' || !isImageDatasetRef(dataset)) return
    try {
      const id = imageDatasetId(dataset)
      this.imageDataset = (await callOn(this.api, 'datasets.list')).find((d) => d.id === id) ?? null
    } catch {
      this.imageDataset = null
    }
  }

  private loadSelected(): Promise<void> {
    if (this.format === 'png') {
      return this.loadShown(
        () => this.pngs,
        async (s) => (await callOn(this.api, 'samples.png', { id: s.id })).bytes,
        (next) => (this.pngs = next),
      )
    }
    const points = async (s: SampleRecord) => {
      const p = await callOn(this.api, 'samples.points', { id: s.id })
      return toXY(p.points, p.dim)
    }
    return this.loadShown(
      () => this.points,
      points,
      (next) => (this.points = next),
    )
  }

  /** Fetches what the shown samples draw (PNG grids or points) when not loaded yet, and drops what is no longer shown. */
  private async loadShown<T>(
    loaded: () => ReadonlyMap<number, T>,
    fetch: (s: SampleRecord) => Promise<T>,
    store: (next: ReadonlyMap<number, T>) => void,
  ): Promise<void> {
    const missing = this.wanted().filter((s) => !loaded().has(s.id) && !this.inflight.has(s.id))
    if (missing.length === 0) return
    for (const s of missing) this.inflight.add(s.id)
    try {
      const values = await Promise.all(missing.map(fetch))
      const keep = new Set(this.wanted().map((s) => s.id))
      const next = new Map([...loaded()].filter(([id]) => keep.has(id)))
      values.forEach((value, i) => next.set((missing[i] as SampleRecord).id, value))
      store(next)
      this.samplesError = null
    } catch (error) {
      this.samplesError = `samples: ${errorText(error)}`
    } finally {
      for (const s of missing) this.inflight.delete(s.id)
    }
  }

  private wanted(): SampleRecord[] {
    return shownSamples(this.selection).map((s) => s.sample)
  }

  async loadEvaluations(): Promise<void> {
    try {
      this.evaluations = await callOn(this.api, 'runs.evaluations', { id: this.id })
    } catch (error) {
      this.actionError = `evaluations: ${errorText(error)}`
    }
  }

  /** `before`: the run's summary before a `run` event (the store has already applied the event). */
  onEvent(event: ApiEvent, before?: RunSummary): void {
    this.phase.onEvent(event)
    switch (event.type) {
      case 'metrics':
        if (event.runId !== this.id) return
        for (const p of event.points) this.pending.push(p)
        this.scheduleFlush()
        return
      case 'run':
        if (event.run.id !== this.id) return
        this.applySummary(event.run, before)
        return
      case 'sample':
        if (event.runId !== this.id || this.samples.some((s) => s.id === event.sample.id)) return
        this.samples = [...this.samples, event.sample]
        void this.loadSelected()
        return
      case 'log':
        if (event.runId !== this.id) return
        this.logs = [...this.logs.slice(-(LOG_LINES - 1)), event.line]
        return
    }
  }

  private applySummary(summary: RunSummary, previous: RunSummary | undefined): void {
    const before = this.known ? previous?.status : undefined
    this.known = true
    if (before !== summary.status && isTerminal(summary.status)) {
      this.flush()
      void this.loadEvaluations()
      void this.loadSamples()
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer || !this.loaded) return
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null
      this.flush()
    }, this.flushMs)
  }

  /** Applies the batched points: one new array per curve, whatever the number of points. */
  flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer)
      this.flushTimer = null
    }
    if (!this.loaded || this.pending.length === 0) return
    const points = this.pending
    this.pending = []
    const now = this.now()
    this.loss = appendToCurve(this.loss, points, LOSS_KEY)
    const quality = this.quality
    this.quality = qualityCurves((key) => appendToCurve(quality[key], points, key))
    let step = this.step
    const timed: TimedStep[] = []
    for (const p of points) {
      // A resume from a checkpoint restarts below the last step seen.
      if (p.key === LOSS_KEY) {
        timed.push({ step: p.step, wallMs: p.wallMs ?? now })
        step = p.step
      } else step = Math.max(step, p.step)
    }
    this.step = step
    if (timed.length > 0) {
      const newest = timed.reduce((m, t) => Math.max(m, t.wallMs), -Infinity)
      const first = Math.min(...timed.map((t) => t.step))
      this.timings = [...this.timings.filter((t) => t.step < first && t.wallMs >= newest - RATE_WINDOW_MS), ...timed]
    }
  }

  private async act(method: 'runs.pause' | 'runs.resume' | 'runs.cancel'): Promise<void> {
    this.actionError = null
    this.busy = true
    try {
      const run = await callOn(this.api, method, { id: this.id })
      this.setRead({ ...run, config: run.config ?? this.run?.config ?? null })
      // Speed before a pause says nothing about the speed after it.
      if (method === 'runs.resume') this.timings = []
    } catch (error) {
      this.actionError = errorText(error)
    } finally {
      this.busy = false
    }
  }

  pause(): Promise<void> {
    return this.act('runs.pause')
  }

  resume(): Promise<void> {
    return this.act('runs.resume')
  }

  cancel(): Promise<void> {
    return this.act('runs.cancel')
  }

  /** The full loss series as CSV (`step,value,wallMs`), for a download. */
  async lossCsv(): Promise<string> {
    return seriesCsv(await callOn(this.api, 'metrics.series', { runId: this.id, key: LOSS_KEY }))
  }

  /** A run read from the backend is the newest the renderer has: the store takes its summary too. */
  private setRead(run: Run): void {
    this.phase.fromRun(run)
    this.store.put([run])
    this.readRun = run
    this.known = true
  }

  dispose(): void {
    this.phase.dispose()
    this.unsubscribe?.()
    this.unsubscribe = null
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
  }
}

/** The run as read, under the store's newer summary; an event before the read gives a run without config. */
function runOf(read: Run | null, summary: RunSummary | undefined): Run | null {
  if (read) return withSummary(read, summary)
  return summary ? { ...summary, config: null } : null
}
