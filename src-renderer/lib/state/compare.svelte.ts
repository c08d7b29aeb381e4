/**
 * State of the Compare view: the compared runs with their configs, metric series (downsampled buckets,
 * refetched exactly on zoom), final evaluations and samples, plus the settings of every panel. Takes the
 * ApiClient so tests can drive it with a fake. Large arrays live in $state.raw: chart.js reads them as they
 * are, and deep proxies over 20 × 1000 buckets would cost more than the charts.
 */
import type { ApiClient, ApiEvent, SamplePoints, SeriesSummary } from '@shared/ipc/api'
import type { EvaluationRecord, Run, SampleRecord } from '@shared/store/types'
import { TERMINAL_STATUSES } from '@shared/store/types'
import { callOn } from '../api'
import { effectiveConfigOf, numericFieldsOf, shortLabelsOf } from '../effective-diff'
import { runNames } from '../run-names'
import type { GroupBy } from '../run-groups'
import { errorText } from '../error-text'
import { DEFAULT_SMOOTHING, clampSmoothing } from '../smoothing'
import { wallUnitFor, type CurveSeries, type WallUnit, type XAxisMode, type XRange } from '../charts/overlay-curves'
import { finalEvaluations, type QualityMetric } from '../charts/nfe-curves'
import { metricChoices, type MetricChoice } from '../charts/hparam-scatter'
import { dataSample, sampleAtStep, sampleNfes, sampleSteps, sharedNoiseSeed } from '../charts/compare-samples'
import { runColour, runColours } from '@shared/run-colour'
import { spansDecades } from '@shared/robust-range'
import { stepAtIndex, stopIndex } from '../step-stops'
import { CompareBuckets, ORIGIN_KEY, collectKeys } from './compare-buckets'
import { fetchBuckets, fullSeries, metricCsv, zoomedSeries, type SeriesSource } from './compare-series'
import { RunsStore, withSummary } from './runs-store.svelte'

export { CURVE_BUCKETS } from './compare-buckets'

export interface CompareOptions {
  /** Delay before a live run's curve is refetched after new points (coalesces the throttled events). */
  refreshDelayMs?: number
  /** The renderer's runs (one subscription, shared with the other views); by default one over `api`. */
  store?: RunsStore
}

export interface RunLoadError {
  id: string
  message: string
}

export interface SamplePanel {
  runId: string
  color: string
  label: string
  /** The sample shown (largest step ≤ the slider), or null when the run has none yet. */
  sample: SampleRecord | null
  data: SampleRecord | null
  /** False when the run has no sample from the shared noise (an older run): the panel says so. */
  sameNoise: boolean
}

export class CompareState {
  ids = $state.raw<string[]>([])
  /** The runs that loaded, in the order of `ids`, as read (with their configs). */
  private readRuns = $state.raw<Run[]>([])
  private readonly shownRuns: Run[]

  /** The runs that loaded, in the order of `ids`: configs as read, summaries (status, tags, notes) the store's. */
  get runs(): Run[] {
    return this.shownRuns
  }
  loadErrors = $state.raw<RunLoadError[]>([])
  loading = $state(false)

  // overlaid curves
  summaries = $state.raw<Record<string, SeriesSummary[]>>({})
  metric = $state(ORIGIN_KEY)
  smoothing = $state(DEFAULT_SMOOTHING)
  logX = $state(false)
  /** The user's log-y choice for this metric; null: log when the values span decades. */
  logYChoice = $state<boolean | null>(null)
  /** Clip the y range to the 5-95% quantiles (a blown-up run does not flatten the others). */
  ignoreOutliers = $state(false)
  xAxis = $state<XAxisMode>('step')
  envelope = $state(false)
  /** The series drawn: the full range, or the zoomed range refetched exactly. */
  series = $state.raw<CurveSeries[]>([])
  /** The full-range series of the current metric (the wall-time unit and the zoom reset come from it). */
  fullSeries = $state.raw<CurveSeries[]>([])
  zoom = $state.raw<XRange | null>(null)
  seriesLoading = $state(false)
  seriesError = $state<string | null>(null)

  // final evaluations, samples
  evaluations = $state.raw<Record<string, EvaluationRecord[]>>({})
  samples = $state.raw<Record<string, SampleRecord[]>>({})
  samplePoints = $state.raw<Record<number, SamplePoints>>({})
  samplePngs = $state.raw<Record<number, Uint8Array>>({})
  sampleErrors = $state.raw<Record<number, string>>({})
  sampleNfe = $state(1)
  /** The slider's step; null follows the newest step (live runs keep moving). */
  sampleStep = $state<number | null>(null)

  // quality-vs-NFE, hyperparameter scatter, diff
  nfeMetric = $state<QualityMetric>('swd')
  nfeLogYChoice = $state<boolean | null>(null)
  nfeIgnoreOutliers = $state(false)
  hparamField = $state('')
  hparamMetric = $state('student/swd/1')
  hparamLogX = $state(false)
  hparamLogY = $state(false)
  differencesOnly = $state(true)
  /** #19.10 Curves and quality-vs-NFE by group (run-groups.ts): each group's mean inside its min-max band. */
  groupBy = $state<GroupBy>('none')

  readonly runIds = $derived(this.runs.map((r) => r.id))
  /** Stable per run (from its id), the same in every view. */
  readonly colors = $derived(runColours(this.runs.map((r) => r.id)))
  /** Each run's name (#19), unique in this comparison: legends, sample panels and exported PNGs. */
  readonly labels = $derived(runNames(this.runs))
  /** What the runs trained differently with (`numScales=18, lr=1e-3`), beside the names in the legend. */
  readonly differences = $derived(
    Object.fromEntries(shortLabelsOf(this.runs).map((l, i) => [this.runs[i]?.id ?? '', l])) as Record<string, string>,
  )
  /** Every metric key any compared run logged, the run's usual order first. */
  readonly metricKeys = $derived(collectKeys(this.summaries))
  readonly wallUnit: WallUnit = $derived(wallUnitFor(this.fullSeries))
  get logY(): boolean {
    return this.logYChoice ?? spansDecades(this.fullSeries.flatMap((s) => s.buckets.map((b) => b.last)))
  }
  set logY(on: boolean) {
    this.logYChoice = on
  }
  get nfeLogY(): boolean {
    const values = Object.values(this.finals).flatMap((f) => f.filter((r) => r.metric === this.nfeMetric))
    return this.nfeLogYChoice ?? spansDecades(values.map((r) => r.value))
  }
  set nfeLogY(on: boolean) {
    this.nfeLogYChoice = on
  }
  readonly finals = $derived(
    Object.fromEntries(this.runs.map((r) => [r.id, finalEvaluations(this.evaluations[r.id] ?? [])])) as Record<
      string,
      EvaluationRecord[]
    >,
  )
  readonly metricChoices: MetricChoice[] = $derived(metricChoices(Object.values(this.finals)))
  readonly hparamFields = $derived(numericFieldsOf(this.runs))
  readonly sampleNfeChoices = $derived(sampleNfes(this.runIds.map((id) => this.samples[id] ?? [])))
  /** The noise the side-by-side samples are drawn from (the live previews' fixed noise, shared by all runs). */
  readonly sampleNoiseSeed = $derived(sharedNoiseSeed(this.runIds.map((id) => this.samples[id] ?? [])))
  readonly sampleStepStops = $derived(
    sampleSteps(
      this.runIds.map((id) => this.samples[id] ?? []),
      this.sampleNfe,
      this.sampleNoiseSeed,
    ),
  )
  /** The step the panels show: the slider's, or the newest. */
  readonly shownStep = $derived(this.sampleStep ?? this.sampleStepStops[this.sampleStepStops.length - 1] ?? null)
  readonly samplePanels: SamplePanel[] = $derived(
    this.runs.map((r) => {
      const list = this.samples[r.id] ?? []
      const seed = this.sampleNoiseSeed
      const sample = this.shownStep === null ? null : sampleAtStep(list, this.shownStep, this.sampleNfe, seed)
      return {
        runId: r.id,
        color: this.colors[r.id] ?? runColour(r.id),
        label: this.labels[r.id] ?? '',
        sample,
        data: dataSample(list, seed),
        sameNoise: sample === null || seed === null || sample.noiseSeed === seed,
      }
    }),
  )

  private readonly refreshDelayMs: number
  private readonly store: RunsStore
  private unsubscribe: (() => void) | null = null
  private loadGen = 0
  private seriesGen = 0
  private refreshTimers = new Map<string, ReturnType<typeof setTimeout>>()
  private sampleRequests = new Set<number>()
  private readonly buckets: CompareBuckets
  private readonly source: SeriesSource

  constructor(
    private readonly api: ApiClient,
    options: CompareOptions = {},
  ) {
    this.refreshDelayMs = options.refreshDelayMs ?? 1500
    this.buckets = new CompareBuckets(api)
    this.source = { buckets: this.buckets, summaries: (runId) => this.summaries[runId] ?? [] }
    this.store = options.store ?? new RunsStore(api)
    this.shownRuns = $derived(this.readRuns.map((r) => withSummary(r, this.store.summary(r.id))))
  }

  /** The x-axis field of the scatter: the chosen one, else the first numeric field the runs differ in. */
  get effectiveHparamField(): string {
    if (this.hparamFields.includes(this.hparamField)) return this.hparamField
    const configs = this.runs.map(effectiveConfigOf)
    const differing = this.hparamFields.find((f) => configs.some((c) => c?.[f] !== configs[0]?.[f]))
    return differing ?? (this.hparamFields.includes('numScales') ? 'numScales' : (this.hparamFields[0] ?? ''))
  }

  get effectiveHparamMetric(): MetricChoice | null {
    return this.metricChoices.find((c) => c.key === this.hparamMetric) ?? this.metricChoices[0] ?? null
  }

  /** Loads the runs and everything the panels need; failed runs are reported and left out. */
  async load(ids: readonly string[]): Promise<void> {
    const gen = ++this.loadGen
    this.ids = [...new Set(ids)]
    this.loading = true
    this.buckets.clear()
    this.zoom = null
    this.sampleStep = null
    this.subscribe()
    const results = await Promise.allSettled(this.ids.map((id) => callOn(this.api, 'runs.get', { id })))
    if (gen !== this.loadGen) return
    const runs: Run[] = []
    const errors: RunLoadError[] = []
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') runs.push(r.value)
      else errors.push({ id: this.ids[i] as string, message: errorText(r.reason) })
    })
    this.store.put(runs)
    this.readRuns = runs
    this.loadErrors = errors
    const perRun = <T>(f: (id: string) => Promise<T>, fallback: T) =>
      Promise.all(runs.map((r) => f(r.id).catch((e: unknown) => (this.noteError(r.id, e), fallback)))).then((values) =>
        Object.fromEntries(runs.map((r, i) => [r.id, values[i] as T])),
      )
    const [summaries, evaluations, samples] = await Promise.all([
      perRun((id) => callOn(this.api, 'metrics.list', { runId: id }), [] as SeriesSummary[]),
      perRun((id) => callOn(this.api, 'runs.evaluations', { id }), [] as EvaluationRecord[]),
      perRun((id) => callOn(this.api, 'samples.list', { runId: id }), [] as SampleRecord[]),
    ])
    if (gen !== this.loadGen) return
    this.summaries = summaries
    this.evaluations = evaluations
    this.samples = samples
    const keys = collectKeys(summaries)
    if (!keys.includes(this.metric)) this.metric = keys[0] ?? ORIGIN_KEY
    const nfes = sampleNfes(Object.values(samples))
    if (!nfes.includes(this.sampleNfe) && nfes.length > 0) this.sampleNfe = nfes[0] as number
    this.loading = false
    await this.loadSeries()
  }

  private noteError(id: string, e: unknown): void {
    if (this.loadErrors.some((x) => x.id === id)) return
    this.loadErrors = [...this.loadErrors, { id, message: errorText(e) }]
  }

  /** Switches the curve metric (the zoom is dropped: its range belongs to the other series). */
  async setMetric(key: string): Promise<void> {
    if (key === this.metric) return
    this.metric = key
    this.zoom = null
    this.logYChoice = null
    await this.loadSeries()
  }

  async setXAxis(mode: XAxisMode): Promise<void> {
    if (mode === this.xAxis) return
    this.xAxis = mode
    if (this.zoom) await this.zoomTo(null)
  }

  setSmoothing(weight: number): void {
    this.smoothing = clampSmoothing(weight)
  }

  /** Fetches the full-range buckets of the current metric for every run. */
  async loadSeries(): Promise<void> {
    const gen = ++this.seriesGen
    const key = this.metric
    this.seriesLoading = true
    this.seriesError = null
    try {
      const series = await fullSeries(this.source, this.runs, this.colors, key)
      if (gen !== this.seriesGen) return
      this.fullSeries = series
      if (!this.zoom) this.series = series
    } catch (e) {
      if (gen === this.seriesGen) this.seriesError = errorText(e)
    } finally {
      if (gen === this.seriesGen) this.seriesLoading = false
    }
    if (gen === this.seriesGen && this.zoom) await this.zoomTo(this.zoom)
  }

  /** Zooms to an x range (in the axis' unit), refetched exactly (compare-series.ts); null: the full range. */
  async zoomTo(range: XRange | null): Promise<void> {
    const gen = ++this.seriesGen
    this.zoom = range
    if (!range) {
      this.series = this.fullSeries
      this.seriesLoading = false
      return
    }
    const unit = this.wallUnit
    const mode = this.xAxis
    this.seriesLoading = true
    this.seriesError = null
    try {
      const series = await zoomedSeries(this.source, this.fullSeries, this.metric, range, mode, unit)
      if (gen === this.seriesGen) this.series = series
    } catch (e) {
      if (gen === this.seriesGen) this.seriesError = errorText(e)
    } finally {
      if (gen === this.seriesGen) this.seriesLoading = false
    }
  }

  setSampleNfe(nfe: number): void {
    this.sampleNfe = nfe
  }

  /** Moves the shared slider to stop `index`; the last stop follows new samples as they arrive. */
  setSampleStopIndex(index: number): void {
    const step = stepAtIndex(this.sampleStepStops, index)
    if (step !== undefined) this.sampleStep = step
  }

  get sampleStopIndex(): number {
    return stopIndex(this.sampleStepStops, this.shownStep)
  }

  /** Fetches what a sample panel draws (points for 2D, a PNG for images), once per sample. */
  async ensureSample(sample: SampleRecord): Promise<void> {
    if (this.sampleRequests.has(sample.id)) return
    this.sampleRequests.add(sample.id)
    try {
      if (sample.kind === 'png') {
        const png = await callOn(this.api, 'samples.png', { id: sample.id })
        this.samplePngs = { ...this.samplePngs, [sample.id]: png.bytes }
      } else {
        const pts = await callOn(this.api, 'samples.points', { id: sample.id })
        this.samplePoints = { ...this.samplePoints, [sample.id]: pts }
      }
    } catch (e) {
      this.sampleErrors = { ...this.sampleErrors, [sample.id]: errorText(e) }
    }
  }

  /** Every stored point of the current metric of every run, as one CSV (exports are never downsampled). */
  exportCsv(): Promise<string> {
    return metricCsv(this.api, this.source, this.runs, this.metric)
  }

  // --- live updates ---------------------------------------------------------------------------------------

  private subscribe(): void {
    this.unsubscribe ??= this.store.listen((event) => this.onEvent(event))
  }

  private onEvent(event: ApiEvent): void {
    if (event.type === 'log' || !this.runIds.includes(event.type === 'run' ? event.run.id : event.runId)) return
    if (event.type === 'sample') {
      const list = this.samples[event.runId] ?? []
      if (!list.some((s) => s.id === event.sample.id))
        this.samples = { ...this.samples, [event.runId]: [...list, event.sample] }
    } else if (event.type === 'metrics') {
      const keys = new Set(event.points.map((p) => p.key))
      const summaries = this.summaries[event.runId] ?? []
      // A key the run had not logged yet (the first swd/nfe1 preview) joins the metric select.
      const added = [...keys].filter((k) => !summaries.some((s) => s.key === k))
      if (added.length > 0)
        this.summaries = {
          ...this.summaries,
          [event.runId]: [
            ...summaries,
            ...added.map((key) => ({ key, count: 0, firstStep: null, lastStep: null, lastValue: null })),
          ],
        }
      this.buckets.invalidate(event.runId, keys)
      if (keys.has(this.metric)) this.scheduleRefresh(event.runId)
    } else if (event.type === 'run') {
      if (TERMINAL_STATUSES.includes(event.run.status)) void this.reloadEvaluations(event.run.id)
    }
  }

  private scheduleRefresh(runId: string): void {
    if (this.refreshTimers.has(runId)) return
    this.refreshTimers.set(
      runId,
      setTimeout(() => {
        this.refreshTimers.delete(runId)
        void this.refreshRun(runId)
      }, this.refreshDelayMs),
    )
  }

  /** Refetches one live run's curve; a zoomed view is left alone (its range is exact and would jump). */
  async refreshRun(runId: string): Promise<void> {
    const key = this.metric
    try {
      const buckets = await fetchBuckets(this.source, runId, key)
      if (key !== this.metric) return
      const next = this.fullSeries.map((s) => (s.runId === runId ? { ...s, buckets } : s))
      this.fullSeries = next
      if (!this.zoom) this.series = next
    } catch {
      // A failed live refresh keeps the curve drawn; the next event retries.
    }
  }

  private async reloadEvaluations(runId: string): Promise<void> {
    try {
      const records = await callOn(this.api, 'runs.evaluations', { id: runId })
      this.evaluations = { ...this.evaluations, [runId]: records }
    } catch {
      // Keeps the evaluations already shown.
    }
  }

  dispose(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
    for (const t of this.refreshTimers.values()) clearTimeout(t)
    this.refreshTimers.clear()
    this.loadGen++
    this.seriesGen++
  }
}
