/**
 * State of the Compare view: the compared runs with their configs, metric series (downsampled buckets,
 * refetched exactly on zoom), final evaluations and samples, plus the settings of every panel. Takes the
 * ApiClient so tests can drive it with a fake. Large arrays live in $state.raw: chart.js reads them as they
 * are, and deep proxies over 20 × 1000 buckets would cost more than the charts.
 */
import { frechetCaveat } from '@shared/cd/evaluation'
import { datasetLabel, indexDatasets, type DatasetIndex } from '@shared/data/dataset-names'
import type { ApiClient, ApiEvent, SamplePoints, SeriesSummary } from '@shared/ipc/api'
import type { EvaluationRecord, MetricBucket, Run, RunListItem, SampleRecord, SeriesPoint } from '@shared/store/types'
import { TERMINAL_STATUSES } from '@shared/store/types'
import { ApiCallError, callOn } from '../api'
import { effectiveConfigOf, numericFieldsOf, shortLabelsOf } from '../effective-diff'
import { DEFAULT_SMOOTHING, clampSmoothing } from '../smoothing'
import { stepRangeForZoom, wallUnitFor, type CurveSeries, type WallUnit, type XAxisMode, type XRange } from '../charts/overlay-curves'
import { evalValue, finalEvaluations, type QualityMetric } from '../charts/nfe-curves'
import { metricChoices, type MetricChoice } from '../charts/hparam-scatter'
import { dataSample, sampleAtStep, sampleNfes, sampleSteps, sharedNoiseSeed } from '../charts/compare-samples'
import { runColor } from '../charts/theme'
import { stepAtIndex, stopIndex } from '../step-stops'

/** Buckets per run and request: what reaches chart.js, whatever the length of the series. */
export const CURVE_BUCKETS = 1000

/** The series every run logs from its first step: its first point is the run's wall-time origin. */
const ORIGIN_KEY = 'loss'

export interface CompareOptions {
  /** Delay before a live run's curve is refetched after new points (coalesces the throttled events). */
  refreshDelayMs?: number
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

const message = (e: unknown) => (e instanceof ApiCallError ? e.error.message : e instanceof Error ? e.message : String(e))

// --- the metrics table (pure) ---------------------------------------------------------------------------

export interface MetricColumn {
  key: string
  label: string
  title: string
  model: string
  metric: string
  /** null = the model's largest NFE (the teacher's K = 100). */
  nfe: number | null
  /** Whether the best value is highlighted (references such as the teacher and the floor are not ranked). */
  ranked: boolean
  /** Shown only when some compared run has a value (the Fréchet distance exists for image runs only). */
  optional?: boolean
}

export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: 'swd1', label: 'SWD · 1', title: 'student sliced Wasserstein, 1 step', model: 'student', metric: 'swd', nfe: 1, ranked: true },
  { key: 'swd2', label: 'SWD · 2', title: 'student sliced Wasserstein, 2 steps', model: 'student', metric: 'swd', nfe: 2, ranked: true },
  { key: 'energy1', label: 'energy · 1', title: 'student energy distance, 1 step', model: 'student', metric: 'energy', nfe: 1, ranked: true },
  { key: 'energy2', label: 'energy · 2', title: 'student energy distance, 2 steps', model: 'student', metric: 'energy', nfe: 2, ranked: true },
  { key: 'mmd1', label: 'MMD · 1', title: 'student MMD, 1 step', model: 'student', metric: 'mmd', nfe: 1, ranked: true },
  { key: 'mmd2', label: 'MMD · 2', title: 'student MMD, 2 steps', model: 'student', metric: 'mmd', nfe: 2, ranked: true },
  { key: 'fd1', label: 'FD · 1', title: 'student Fréchet distance in the dataset classifier features, 1 step (image runs)', model: 'student', metric: 'fd', nfe: 1, ranked: true, optional: true },
  { key: 'fd2', label: 'FD · 2', title: 'student Fréchet distance in the dataset classifier features, 2 steps (image runs)', model: 'student', metric: 'fd', nfe: 2, ranked: true, optional: true },
  { key: 'teacherFd', label: 'teacher FD (K=100)', title: "the teacher's Fréchet distance with K = 100 steps, same noise (image runs)", model: 'teacher', metric: 'fd', nfe: null, ranked: false, optional: true },
  { key: 'teacherSwd', label: 'teacher SWD (K=100)', title: "the teacher's sliced Wasserstein with K = 100 steps, same noise", model: 'teacher', metric: 'swd', nfe: null, ranked: false },
  { key: 'floorSwd', label: 'data floor SWD', title: 'sliced Wasserstein between two held-out data samples: the best reachable', model: 'data', metric: 'swd', nfe: 0, ranked: false },
  { key: 'agreement', label: 'agreement', title: "mean distance between the student's one-step sample and the teacher's K = 100 solution from the same noise", model: 'student', metric: 'agreement', nfe: 1, ranked: true },
  { key: 'ms1', label: 'ms/sample · 1', title: 'student milliseconds per sample, 1 step', model: 'student', metric: 'msPerSample', nfe: 1, ranked: true },
  { key: 'teacherMs', label: 'teacher ms/sample', title: 'teacher milliseconds per sample, K = 100', model: 'teacher', metric: 'msPerSample', nfe: null, ranked: false },
]

/** Indices of the columns to show: every column, except optional ones no row has a value in. */
export function visibleColumns(rows: readonly MetricRow[]): number[] {
  return METRIC_COLUMNS.flatMap((col, c) => (!col.optional || rows.some((r) => r.values[c] !== null && r.values[c] !== undefined) ? [c] : []))
}

export interface MetricRow {
  runId: string
  /** The evaluated step, or null for a run without evaluations. */
  step: number | null
  values: Array<number | null>
}

export function metricRows(runIds: readonly string[], evaluations: Readonly<Record<string, readonly EvaluationRecord[]>>): MetricRow[] {
  return runIds.map((runId) => {
    const final = finalEvaluations(evaluations[runId] ?? [])
    return {
      runId,
      step: final[0]?.step ?? null,
      values: METRIC_COLUMNS.map((c) => evalValue(final, c.metric, c.model, c.nfe ?? undefined)),
    }
  })
}

/** The compared runs with Fréchet figures from too few samples (config.evalSamples), with the caveat to show. */
export function frechetCaveats(rows: readonly MetricRow[], runs: readonly Run[]): Array<{ runId: string; caveat: string }> {
  const fdColumns = METRIC_COLUMNS.flatMap((c, i) => (c.metric === 'fd' ? [i] : []))
  return rows.flatMap((row) => {
    if (!fdColumns.some((i) => row.values[i] !== null && row.values[i] !== undefined)) return []
    const config = runs.find((r) => r.id === row.runId)?.config as { evalSamples?: unknown } | null | undefined
    const caveat = frechetCaveat(config?.evalSamples)
    return caveat ? [{ runId: row.runId, caveat }] : []
  })
}

/** Per column, the run ids holding the lowest finite value (every metric here is lower-is-better); empty for unranked columns. */
export function bestByColumn(rows: readonly MetricRow[]): Array<Set<string>> {
  return METRIC_COLUMNS.map((col, c) => {
    const best = new Set<string>()
    if (!col.ranked) return best
    let min = Infinity
    for (const r of rows) {
      const v = r.values[c]
      if (v === null || v === undefined || !Number.isFinite(v)) continue
      if (v < min) {
        min = v
        best.clear()
      }
      if (v === min) best.add(r.runId)
    }
    // One run alone is not "best" of anything.
    return rows.filter((r) => r.values[c] !== null).length > 1 ? best : new Set<string>()
  })
}

export type SortDir = 'asc' | 'desc'

/** Rows sorted by one column; runs without a value go last either way. */
export function sortRows(rows: readonly MetricRow[], column: number | null, dir: SortDir): MetricRow[] {
  if (column === null) return rows.slice()
  const sign = dir === 'asc' ? 1 : -1
  return rows.slice().sort((a, b) => {
    const x = a.values[column] ?? null
    const y = b.values[column] ?? null
    const xMissing = x === null || Number.isNaN(x)
    const yMissing = y === null || Number.isNaN(y)
    if (xMissing || yMissing) return xMissing === yMissing ? 0 : xMissing ? 1 : -1
    return (x - y) * sign
  })
}

// --- CSV export (pure) ----------------------------------------------------------------------------------

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/** One CSV of the compared series: `run,step,value`, every stored point (not the buckets). */
export function seriesCsv(series: ReadonlyArray<{ runId: string; points: readonly SeriesPoint[] }>): string {
  const lines = ['run,step,value']
  for (const s of series) for (const p of s.points) lines.push(`${csvField(s.runId)},${p.step},${String(p.value)}`)
  return `${lines.join('\n')}\n`
}

// --- the state ------------------------------------------------------------------------------------------

export class CompareState {
  ids = $state.raw<string[]>([])
  /** The runs that loaded, in the order of `ids`. */
  runs = $state.raw<Run[]>([])
  loadErrors = $state.raw<RunLoadError[]>([])
  loading = $state(false)

  // overlaid curves
  summaries = $state.raw<Record<string, SeriesSummary[]>>({})
  metric = $state(ORIGIN_KEY)
  smoothing = $state(DEFAULT_SMOOTHING)
  logX = $state(false)
  logY = $state(false)
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
  nfeLogY = $state(false)
  hparamField = $state('')
  hparamMetric = $state('student/swd/1')
  hparamLogX = $state(false)
  hparamLogY = $state(false)
  differencesOnly = $state(true)

  readonly runIds = $derived(this.runs.map((r) => r.id))
  readonly colors = $derived(Object.fromEntries(this.runs.map((r, i) => [r.id, runColor(i)])) as Record<string, string>)
  readonly labels = $derived(Object.fromEntries(shortLabelsOf(this.runs).map((l, i) => [this.runs[i]?.id ?? '', l])) as Record<string, string>)
  /** Every metric key any compared run logged, the run's usual order first. */
  readonly metricKeys = $derived(collectKeys(this.summaries))
  readonly wallUnit: WallUnit = $derived(wallUnitFor(this.fullSeries))
  readonly finals = $derived(Object.fromEntries(this.runs.map((r) => [r.id, finalEvaluations(this.evaluations[r.id] ?? [])])) as Record<string, EvaluationRecord[]>)
  readonly metricChoices: MetricChoice[] = $derived(metricChoices(Object.values(this.finals)))
  readonly hparamFields = $derived(numericFieldsOf(this.runs))
  readonly sampleNfeChoices = $derived(sampleNfes(this.runIds.map((id) => this.samples[id] ?? [])))
  /** The noise the side-by-side samples are drawn from (the live previews' fixed noise, shared by all runs). */
  readonly sampleNoiseSeed = $derived(sharedNoiseSeed(this.runIds.map((id) => this.samples[id] ?? [])))
  readonly sampleStepStops = $derived(sampleSteps(this.runIds.map((id) => this.samples[id] ?? []), this.sampleNfe, this.sampleNoiseSeed))
  /** The step the panels show: the slider's, or the newest. */
  readonly shownStep = $derived(this.sampleStep ?? this.sampleStepStops[this.sampleStepStops.length - 1] ?? null)
  readonly samplePanels: SamplePanel[] = $derived(
    this.runs.map((r) => {
      const list = this.samples[r.id] ?? []
      const seed = this.sampleNoiseSeed
      const sample = this.shownStep === null ? null : sampleAtStep(list, this.shownStep, this.sampleNfe, seed)
      return {
        runId: r.id,
        color: this.colors[r.id] ?? runColor(0),
        label: this.labels[r.id] ?? '',
        sample,
        data: dataSample(list, seed),
        sameNoise: sample === null || seed === null || sample.noiseSeed === seed,
      }
    }),
  )

  private readonly refreshDelayMs: number
  private unsubscribe: (() => void) | null = null
  private loadGen = 0
  private seriesGen = 0
  /** Full-range buckets by `runId\nkey`, so a zoom reset or a metric switch back needs no request. */
  private fullCache = new Map<string, MetricBucket[]>()
  private origins = new Map<string, Promise<number | null>>()
  private refreshTimers = new Map<string, ReturnType<typeof setTimeout>>()
  private sampleRequests = new Set<number>()

  constructor(
    private readonly api: ApiClient,
    options: CompareOptions = {},
  ) {
    this.refreshDelayMs = options.refreshDelayMs ?? 1500
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
    this.fullCache.clear()
    this.origins.clear()
    this.zoom = null
    this.sampleStep = null
    this.subscribe()
    const results = await Promise.allSettled(this.ids.map((id) => callOn(this.api, 'runs.get', { id })))
    if (gen !== this.loadGen) return
    const runs: Run[] = []
    const errors: RunLoadError[] = []
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') runs.push(r.value)
      else errors.push({ id: this.ids[i] as string, message: message(r.reason) })
    })
    this.runs = runs
    this.loadErrors = errors
    const perRun = <T>(f: (id: string) => Promise<T>, fallback: T) =>
      Promise.all(runs.map((r) => f(r.id).catch((e: unknown) => (this.noteError(r.id, e), fallback)))).then((values) => Object.fromEntries(runs.map((r, i) => [r.id, values[i] as T])))
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
    this.loadErrors = [...this.loadErrors, { id, message: message(e) }]
  }

  /** Switches the curve metric (the zoom is dropped: its range belongs to the other series). */
  async setMetric(key: string): Promise<void> {
    if (key === this.metric) return
    this.metric = key
    this.zoom = null
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

  private hasKey(runId: string, key: string): boolean {
    return (this.summaries[runId] ?? []).some((s) => s.key === key)
  }

  private async fetchBuckets(runId: string, key: string, range?: { fromStep: number; toStep: number }): Promise<MetricBucket[]> {
    if (!this.hasKey(runId, key)) return []
    if (!range) {
      const cached = this.fullCache.get(`${runId}\n${key}`)
      if (cached) return cached
    }
    const buckets = await callOn(this.api, 'metrics.downsampled', { runId, key, buckets: CURVE_BUCKETS, ...(range ?? {}) })
    if (!range) this.fullCache.set(`${runId}\n${key}`, buckets)
    return buckets
  }

  /** The wall time of the run's first logged point (x = 0 in wall-time mode); null when unknown. */
  private origin(runId: string): Promise<number | null> {
    let p = this.origins.get(runId)
    if (!p) {
      const summary = (this.summaries[runId] ?? []).find((s) => s.key === ORIGIN_KEY) ?? (this.summaries[runId] ?? [])[0]
      const firstStep = summary?.firstStep
      p =
        summary && firstStep !== null && firstStep !== undefined
          ? callOn(this.api, 'metrics.series', { runId, key: summary.key, fromStep: firstStep, toStep: firstStep }).then(
              (points) => points[0]?.wallMs ?? null,
              () => null,
            )
          : Promise.resolve(null)
      this.origins.set(runId, p)
    }
    return p
  }

  /** Fetches the full-range buckets of the current metric for every run. */
  async loadSeries(): Promise<void> {
    const gen = ++this.seriesGen
    const key = this.metric
    this.seriesLoading = true
    this.seriesError = null
    try {
      const series = await Promise.all(
        this.runs.map(async (r, i): Promise<CurveSeries> => ({ runId: r.id, color: runColor(i), buckets: await this.fetchBuckets(r.id, key), originMs: await this.origin(r.id) })),
      )
      if (gen !== this.seriesGen) return
      this.fullSeries = series
      if (!this.zoom) this.series = series
    } catch (e) {
      if (gen === this.seriesGen) this.seriesError = message(e)
    } finally {
      if (gen === this.seriesGen) this.seriesLoading = false
    }
    if (gen === this.seriesGen && this.zoom) await this.zoomTo(this.zoom)
  }

  /**
   * Zooms to an x range (in the axis' unit) by refetching each run's buckets over the steps behind it, so
   * the zoomed view is exact (W&B's full-fidelity idea); null goes back to the full range.
   */
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
      const series = await Promise.all(
        this.fullSeries.map(async (s): Promise<CurveSeries> => {
          const steps = stepRangeForZoom(s, range, mode, unit)
          return { ...s, buckets: steps ? await this.fetchBuckets(s.runId, this.metric, steps) : [] }
        }),
      )
      if (gen === this.seriesGen) this.series = series
    } catch (e) {
      if (gen === this.seriesGen) this.seriesError = message(e)
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
      this.sampleErrors = { ...this.sampleErrors, [sample.id]: message(e) }
    }
  }

  /** Every stored point of the current metric of every run, as one CSV (exports are never downsampled). */
  async exportCsv(): Promise<string> {
    const key = this.metric
    const series = await Promise.all(
      this.runs.filter((r) => this.hasKey(r.id, key)).map(async (r) => ({ runId: r.id, points: await callOn(this.api, 'metrics.series', { runId: r.id, key }) })),
    )
    return seriesCsv(series)
  }

  // --- live updates ---------------------------------------------------------------------------------------

  private subscribe(): void {
    this.unsubscribe ??= this.api.subscribe((event) => this.onEvent(event))
  }

  private onEvent(event: ApiEvent): void {
    if (event.type === 'log' || !this.runIds.includes(event.type === 'run' ? event.run.id : event.runId)) return
    if (event.type === 'sample') {
      const list = this.samples[event.runId] ?? []
      if (!list.some((s) => s.id === event.sample.id)) this.samples = { ...this.samples, [event.runId]: [...list, event.sample] }
    } else if (event.type === 'metrics') {
      const keys = new Set(event.points.map((p) => p.key))
      const summaries = this.summaries[event.runId] ?? []
      // A key the run had not logged yet (the first swd/nfe1 preview) joins the metric select.
      const added = [...keys].filter((k) => !summaries.some((s) => s.key === k))
      if (added.length > 0)
        this.summaries = { ...this.summaries, [event.runId]: [...summaries, ...added.map((key) => ({ key, count: 0, firstStep: null, lastStep: null, lastValue: null }))] }
      for (const k of keys) this.fullCache.delete(`${event.runId}\n${k}`)
      if (keys.has(this.metric)) this.scheduleRefresh(event.runId)
    } else if (event.type === 'run') {
      this.runs = this.runs.map((r) => (r.id === event.run.id ? { ...r, ...event.run, config: r.config } : r))
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
      const buckets = await this.fetchBuckets(runId, key)
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

/** The keys of the runs' series: loss, lr and the quality previews first, then the rest alphabetically. */
function collectKeys(summaries: Readonly<Record<string, readonly SeriesSummary[]>>): string[] {
  const keys = new Set<string>()
  for (const list of Object.values(summaries)) for (const s of list) keys.add(s.key)
  const first = ['loss', 'lr', 'swd/nfe1', 'swd/nfe2', 'eval/swd_nfe1']
  return [...first.filter((k) => keys.has(k)), ...[...keys].filter((k) => !first.includes(k)).sort()]
}

// --- the run picker ---------------------------------------------------------------------------------------

/** The list shown when fewer than two runs are given: pick runs with checkboxes, then compare. */
export class RunPickerState {
  runs = $state.raw<RunListItem[]>([])
  selected = $state.raw<string[]>([])
  filter = $state('')
  loading = $state(false)
  error = $state<string | null>(null)
  /** Imported image datasets, so the list names `image:<id>` (and finds it by name). */
  datasetIndex = $state.raw<DatasetIndex>(new Map())

  readonly visible = $derived(filterRuns(this.runs, this.filter, this.datasetIndex))

  constructor(private readonly api: ApiClient) {}

  async load(preselected: readonly string[] = []): Promise<void> {
    this.loading = true
    this.error = null
    this.selected = [...preselected]
    try {
      this.runs = await callOn(this.api, 'runs.list', { limit: 10_000, withConfig: true })
    } catch (e) {
      this.error = message(e)
    } finally {
      this.loading = false
    }
    // Names only: without them the list shows image:<id>.
    try {
      this.datasetIndex = indexDatasets(await callOn(this.api, 'datasets.list'))
    } catch {
      // keep the ids
    }
  }

  toggle(id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id]
  }

  /** Selected ids in list order (the colours of the Compare view follow it). */
  get selection(): string[] {
    const chosen = new Set(this.selected)
    return this.runs.filter((r) => chosen.has(r.id)).map((r) => r.id)
  }
}

/** dataset · algorithm · N for the picker (teacher runs: dataset · teacher · T). */
export function configSummary(config: unknown, datasets: DatasetIndex = new Map()): string {
  if (config === null || typeof config !== 'object') return ''
  const c = config as Record<string, unknown>
  const parts = [typeof c.dataset === 'string' ? datasetLabel(c.dataset, datasets, false) : c.dataset, c.algorithm ?? (c.numSteps !== undefined ? 'teacher' : undefined), c.numScales !== undefined ? `N=${String(c.numScales)}` : c.numSteps !== undefined ? `T=${String(c.numSteps)}` : undefined]
  return parts.filter((p) => p !== undefined).map(String).join(' · ')
}

export function filterRuns(runs: readonly RunListItem[], text: string, datasets: DatasetIndex = new Map()): RunListItem[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return runs.slice()
  return runs.filter((r) => {
    const hay = `${r.id} ${r.kind} ${r.status} ${r.tags.join(' ')} ${r.notes} ${configSummary(r.config, datasets)}`.toLowerCase()
    return words.every((w) => hay.includes(w))
  })
}
