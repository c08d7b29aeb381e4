/**
 * State of the New run view: presets, the teacher list of the chosen dataset, previews, the sweep builder
 * and launch, over the form's fields and their validation (config-form.svelte.ts; the sweep's grid:
 * sweep-grid.ts). The backend's validation is the authority: launch re-validates what is on screen first,
 * so a bad value launches nothing even if the user is faster than the debounce.
 */
import type { ApiClient } from '@shared/ipc/api'
import type { Preset } from '@shared/config/presets'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { kindDefaults, type FieldProblem } from '@shared/config/validate'
import { DISTILL_DEFAULTS, TEACHER_DEFAULTS } from '@shared/config/defaults'
import { heldOut2D, isDataset2D } from '@shared/data/datasets2d'
import { imageDatasetId, isImageDatasetRef } from '@shared/data/dataset-ref'
import type { ImageDatasetRecord } from '@shared/data/images'
import {
  datasetLabel,
  datasetOptions,
  imageRecordOf,
  indexDatasets,
  withDatasetNames,
  type DatasetOption,
} from '@shared/data/dataset-names'
import { isBuiltinTeacher, type Run, type TeacherRecord } from '@shared/store/types'
import { ApiCallError, callOn } from '../api'
import { errorText } from '../error-text'
import { textsOf, type FieldKey } from '../form-fields'
import {
  sigmaLevels,
  trainingSchedules,
  type SigmaLevels,
  type TeacherNoise,
  type TrainingSchedules,
} from '../charts/schedule-preview'
import type { XY } from '../charts/loss-curve'
import { toXY } from '../charts/sample-scatter'
import { ConfigFormState } from './config-form.svelte'
import { parseSweep, type ParsedSweep, type SweepAxis } from './sweep-grid'

export { ConfigFormState, VALIDATE_DEBOUNCE_MS, type ConfigFormOptions } from './config-form.svelte'
export { parseSweep, type ParsedSweep, type SweepAxis } from './sweep-grid'

export interface TeacherOption {
  value: string
  label: string
  kind: 'builtin' | 'trained' | 'imported'
}

export const DATASET_PREVIEW_POINTS = 1000
export const MAX_PREVIEW_LEVELS = 5000

export class NewRunState {
  readonly form: ConfigFormState
  presets = $state.raw<Record<string, Preset>>({})
  /** The preset the fields were last filled from, or null once the user started from a run. */
  preset = $state<string | null>('default')
  teachers = $state.raw<TeacherRecord[]>([])
  /** The imported image datasets (the dataset choice lists them after the 2D sets). */
  datasets = $state.raw<ImageDatasetRecord[]>([])
  readonly datasetIndex = $derived(indexDatasets(this.datasets))
  /** Listing the image datasets failed: only the 2D sets are offered. */
  datasetsError = $state<string | null>(null)
  /** The run the form was filled from (`#/new?from=<id>`). */
  fromRun = $state.raw<Run | null>(null)
  loadError = $state<string | null>(null)
  launching = $state(false)
  launchError = $state<string | null>(null)
  sweepAxes = $state<SweepAxis[]>([])
  sweepError = $state<string | null>(null)
  sweepProblems = $state.raw<FieldProblem[]>([])
  sweepRuns = $state.raw<Run[]>([])
  private teachersFor: string | null = null
  /** The chosen image dataset's first images as a PNG grid (null for 2D sets, or while loading). */
  imagePreview = $state.raw<Uint8Array | null>(null)
  imagePreviewError = $state<string | null>(null)
  private previewFor: string | null = null

  constructor(
    private readonly api: ApiClient,
    options: { debounceMs?: number } = {},
  ) {
    this.form = new ConfigFormState(api, { debounceMs: options.debounceMs })
  }

  /** Loads the preview grid of the chosen image dataset (once per dataset); clears it for 2D sets. */
  async refreshDatasetPreview(): Promise<void> {
    const dataset = this.dataset
    if (this.previewFor === dataset) return
    this.previewFor = dataset
    this.imagePreview = null
    this.imagePreviewError = null
    if (!isImageDatasetRef(dataset)) return
    try {
      const preview = await callOn(this.api, 'datasets.preview', { id: imageDatasetId(dataset), count: 32 })
      if (this.previewFor === dataset) this.imagePreview = preview.bytes
    } catch (error) {
      if (this.previewFor === dataset)
        this.imagePreviewError = `could not load a preview of the images: ${errorText(error)}`
    }
  }

  /** Presets and teachers; with `from`, the form starts from that run's config. */
  async load(from?: string): Promise<void> {
    this.loadError = null
    try {
      this.presets = await callOn(this.api, 'config.presets')
      await this.loadDatasets()
      if (from) {
        const run = await callOn(this.api, 'runs.get', { id: from })
        if (run.kind !== 'distill')
          throw new Error(`run ${from} is a teacher run; a distillation form cannot start from it`)
        this.fromRun = run
        this.preset = null
        this.form.reset((run.config ?? {}) as Record<string, unknown>)
      }
      await Promise.all([this.refreshTeachers(), this.refreshDatasetPreview()])
    } catch (error) {
      this.loadError = errorText(error)
    }
  }

  /** The image datasets; a failure leaves the 2D choices (and says why). */
  async loadDatasets(): Promise<void> {
    try {
      this.datasets = await callOn(this.api, 'datasets.list')
    } catch (error) {
      this.datasetsError = `could not list the image datasets: ${errorText(error)}`
    }
  }

  get dataset(): string {
    return this.form.texts.dataset ?? DISTILL_DEFAULTS.dataset
  }

  /** Whether the chosen dataset is an imported image set (U-Net teachers, PNG grids, no built-in teacher). */
  get isImage(): boolean {
    return isImageDatasetRef(this.dataset)
  }

  get datasetChoices(): DatasetOption[] {
    return datasetOptions(this.datasets)
  }

  /** The chosen image dataset's record, or null (a 2D set, or one not in the history). */
  get imageDataset(): ImageDatasetRecord | null {
    return (imageRecordOf(this.dataset, this.datasetIndex) as ImageDatasetRecord | null) ?? null
  }

  get datasetName(): string {
    return datasetLabel(this.dataset, this.datasetIndex, false)
  }

  /** Fills the fields from a preset over the defaults; the data set and teacher stay as chosen. */
  applyPreset(name: string): void {
    const preset = this.presets[name]
    if (!preset) return
    this.preset = name
    const dataset = this.dataset
    this.form.reset({
      ...kindDefaults(dataset, preset.values.algorithm ?? DISTILL_DEFAULTS.algorithm),
      ...preset.values,
      dataset,
      teacher: this.form.texts.teacher ?? 'builtin',
    })
  }

  /** Sets a field; a new data set reloads its teachers (a teacher of another data set cannot be used). */
  async setField(key: string, text: string): Promise<void> {
    const previous = { dataset: this.dataset, algorithm: this.algorithm }
    this.form.set(key, text)
    if (key === 'algorithm' || key === 'dataset') this.followKindDefaults(previous)
    if (key !== 'dataset') return
    await Promise.all([this.refreshTeachers(), this.refreshDatasetPreview()])
  }

  get algorithm(): string {
    return this.form.texts.algorithm ?? DISTILL_DEFAULTS.algorithm
  }

  /**
   * Fields still at the old kind of run's default take the new kind's: 2D and image data differ
   * (dataDefaults), and so do cd and the other algorithms (algorithmDefaults); edited fields stay.
   */
  private followKindDefaults(previous: { dataset: string; algorithm: string }): void {
    const beforeValues = kindDefaults(previous.dataset, previous.algorithm)
    const afterValues = kindDefaults(this.dataset, this.algorithm)
    const before = textsOf(beforeValues)
    const after = textsOf(afterValues)
    for (const key of new Set([...Object.keys(beforeValues), ...Object.keys(afterValues)])) {
      if (this.form.texts[key] === before[key] && before[key] !== after[key]) this.form.set(key, after[key] as string)
    }
  }

  async refreshTeachers(): Promise<void> {
    const dataset = this.dataset
    this.teachersFor = dataset
    try {
      const list = await callOn(this.api, 'teachers.list', { dataset })
      if (this.teachersFor !== dataset) return
      this.teachers = list
      const current = this.form.texts.teacher ?? 'builtin'
      const listed = list.some((t) => t.id === current || t.path === current)
      // Image datasets have no built-in teacher: their first trained teacher is the natural pick; with none,
      // 'builtin' stays and validation says on the teacher field that one must be trained first.
      if (isImageDatasetRef(dataset)) {
        if (!listed && list[0]) this.form.set('teacher', list[0].id)
        else if (!listed) this.form.set('teacher', 'builtin')
      } else if (current !== 'builtin' && !listed) this.form.set('teacher', 'builtin')
    } catch (error) {
      this.loadError = `could not list teachers: ${errorText(error)}`
    }
  }

  get teacherOptions(): TeacherOption[] {
    const index = this.datasetIndex
    const options: TeacherOption[] = this.isImage
      ? []
      : [{ value: 'builtin', label: `Built-in ${this.dataset} teacher`, kind: 'builtin' }]
    for (const t of this.teachers) {
      // The built-in teacher is the `builtin` choice above.
      if (isBuiltinTeacher(t)) continue
      const kind = t.runId ? 'trained' : 'imported'
      options.push({
        value: t.id,
        label: `${withDatasetNames(t.name, index)} (${kind}${t.runId ? ` by run ${t.runId}` : ''})`,
        kind,
      })
    }
    const current = this.form.texts.teacher
    // A path typed in the CLI or a removed teacher still shows, so the form never silently changes it.
    if (current && !options.some((o) => o.value === current)) {
      const label =
        current === 'builtin' && this.isImage ? `None: no teacher of ${this.datasetName} yet (train one)` : current
      options.push({ value: current, label, kind: current === 'builtin' ? 'builtin' : 'imported' })
    }
    return options
  }

  /** The chosen teacher's noise schedule (the shipped teachers use TEACHER_DEFAULTS). */
  get teacherNoise(): TeacherNoise {
    const value = this.form.texts.teacher
    const chosen = this.teachers.find((t) => (value === 'builtin' ? isBuiltinTeacher(t) : t.id === value))
    const config = (chosen?.config ?? null) as Partial<TeacherConfig> | null
    return {
      numSteps: config?.numSteps ?? TEACHER_DEFAULTS.numSteps,
      betaSchedule: config?.betaSchedule ?? TEACHER_DEFAULTS.betaSchedule,
      betaStart: config?.betaStart ?? TEACHER_DEFAULTS.betaStart,
      betaEnd: config?.betaEnd ?? TEACHER_DEFAULTS.betaEnd,
    }
  }

  /** ~1000 held-out points of the chosen data set (the same split evaluations use for seed 0). */
  datasetPreview(): XY[] {
    const name = this.dataset
    if (!isDataset2D(name)) return []
    return toXY(heldOut2D(name, DATASET_PREVIEW_POINTS, 0))
  }

  /** The schedule previews, or why they cannot be drawn (a field they need is not valid yet). */
  previews(): { levels: SigmaLevels | null; schedules: TrainingSchedules | null; problem: string | null } {
    const f = this.form
    const n = f.numberOf('numScales')
    const steps = f.numberOf('steps')
    const lr = f.numberOf('lr')
    const warmup = f.numberOf('warmupSteps')
    const mu = f.numberOf('targetEma')
    const evalEma = f.numberOf('evalEma')
    const bad: string[] = []
    if (n === null || !Number.isInteger(n) || n < 2 || n > 100_000) bad.push('N')
    if (steps === null || !Number.isInteger(steps) || steps < 1 || steps > 1e8) bad.push('steps')
    if (lr === null || !(lr > 0)) bad.push('learning rate')
    if (warmup === null || warmup < 0) bad.push('warm-up steps')
    if (mu === null) bad.push('mu')
    if (evalEma === null) bad.push('evaluation EMA')
    if (bad.length > 0) return { levels: null, schedules: null, problem: `Fix ${bad.join(', ')} to see the previews.` }
    const config = {
      algorithm: (f.texts.algorithm ?? 'cd') as DistillConfig['algorithm'],
      grid: (f.texts.grid ?? 'uniform') as DistillConfig['grid'],
      // Empty (or not yet a number): the teacher's last step, as a run would take it.
      sigmaMax: f.numberOf('sigmaMax'),
      numScales: n as number,
      steps: steps as number,
      lr: lr as number,
      warmupSteps: warmup as number,
      targetEma: mu as number,
      evalEma: evalEma as number,
      lrSchedule: (f.texts.lrSchedule ?? 'cosine') as DistillConfig['lrSchedule'],
    }
    let levels: SigmaLevels | null = null
    let problem: string | null = null
    if (config.numScales > MAX_PREVIEW_LEVELS) {
      // The Karras grid costs N x T on every keystroke; thousands of levels show nothing more anyway.
      problem = `The sigma preview shows at most ${MAX_PREVIEW_LEVELS} levels (N = ${config.numScales}).`
    } else {
      try {
        levels = sigmaLevels(config, this.teacherNoise)
      } catch (error) {
        problem = errorText(error)
      }
    }
    return { levels, schedules: trainingSchedules(config), problem }
  }

  /** Starts a run with the form's config; its id, or null when it was refused (the problems show). */
  async launch(): Promise<string | null> {
    if (this.launching) return null
    this.launchError = null
    this.launching = true
    try {
      // Texts changed while validating are not what was checked: refuse, their own validation follows.
      if (!(await this.form.validateNow()) || this.form.dirty) return null
      const run = await callOn(this.api, 'runs.start', {
        config: this.form.config(),
        ...(this.preset ? { preset: this.preset } : {}),
      })
      return run.id
    } catch (error) {
      if (error instanceof ApiCallError && error.error.problems) this.form.showProblems(error.error.problems)
      this.launchError = errorText(error)
      return null
    } finally {
      this.launching = false
    }
  }

  addSweepAxis(field?: FieldKey): void {
    const used = new Set(this.sweepAxes.map((a) => a.field))
    const pick =
      field ?? (['numScales', 'targetEma', 'lr', 'batch', 'seed'] as FieldKey[]).find((f) => !used.has(f)) ?? 'seed'
    this.sweepAxes.push({ field: pick, text: this.form.texts[pick] ?? '' })
  }

  removeSweepAxis(index: number): void {
    this.sweepAxes.splice(index, 1)
  }

  get sweep(): ParsedSweep {
    return parseSweep(this.sweepAxes)
  }

  /** Enqueues every point of the grid over the form's config; nothing is queued when one point is bad. */
  async launchSweep(): Promise<Run[] | null> {
    const sweep = this.sweep
    this.sweepError = null
    this.sweepProblems = []
    if (sweep.count === 0) {
      this.sweepError = 'Add at least one axis with values.'
      return null
    }
    if (this.launching) return null
    this.launching = true
    try {
      const runs = await callOn(this.api, 'runs.sweep', { base: this.form.config(), grid: sweep.grid })
      this.sweepRuns = runs
      return runs
    } catch (error) {
      if (error instanceof ApiCallError && error.error.problems) this.sweepProblems = error.error.problems
      this.sweepError = errorText(error)
      return null
    } finally {
      this.launching = false
    }
  }

  dispose(): void {
    this.form.dispose()
  }
}
