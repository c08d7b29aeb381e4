/**
 * State of the Teachers view: the registered teachers, the "train a teacher" form (validated by the
 * backend's `config.validate`, problems shown per field), import and export by path. Form values are kept
 * as typed text so a bad entry reaches the validator as it is and its message can quote it.
 */
import type { ApiClient } from '@shared/ipc/api'
import { TEACHER_DEFAULTS } from '@shared/config/defaults'
import type { TeacherConfig } from '@shared/config/schemas'
import type { FieldProblem } from '@shared/config/validate'
import { isImageDatasetRef } from '@shared/data/dataset-ref'
import type { ImageDatasetRecord } from '@shared/data/images'
import type { ModelKind } from '@shared/config/fields'
import { isBuiltinTeacher, type TeacherRecord } from '@shared/store/types'
import {
  datasetLabel,
  datasetOptions,
  indexDatasets,
  withDatasetNames,
  type DatasetIndex,
  type DatasetOption,
} from '@shared/data/dataset-names'
import { ApiCallError, callOn } from '../api'
import { DatasetsState } from './datasets.svelte'
import { errorText } from '../error-text'
import type { RunsRoute } from './runs.svelte'
import { TEACHER_FORM_FIELDS, type TeacherField, type TeacherFormField } from '../teacher-form-fields'
import { FormValidation, OTHER_PROBLEMS, type FormDraft } from './form-validation.svelte'

export { TEACHER_FORM_FIELDS, type TeacherField, type TeacherFormField }

export type TeacherForm = Record<TeacherField, string>

export function defaultTeacherForm(dataset?: string): TeacherForm {
  const form = Object.fromEntries(
    Object.entries(TEACHER_DEFAULTS).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
  ) as TeacherForm
  if (dataset) {
    form.dataset = dataset
    form.model = modelFor(dataset)
  }
  return form
}

/** The network a dataset takes: the U-Net for image datasets, the MLP for 2D ones (validation insists). */
export function modelFor(dataset: string): ModelKind {
  return isImageDatasetRef(dataset) ? 'unet' : 'mlp'
}

/** The fields the form shows for a dataset: the U-Net's for images, the MLP's width and depth for 2D. */
export function teacherFieldsFor(dataset: string): TeacherFormField[] {
  const model = modelFor(dataset)
  return TEACHER_FORM_FIELDS.filter((f) => !f.models || f.models.includes(model))
}

/**
 * The form as a config: numbers where the text is one, the text itself where it is not (the validator
 * names it), and a local problem for an empty number field (which would otherwise silently take the default).
 */
export function formToConfig(form: TeacherForm): { config: Record<string, unknown>; problems: FieldProblem[] } {
  const dataset = (form.dataset ?? '').trim()
  // The model follows the dataset (it is not a choice); the other network's fields are left to the defaults.
  const config: Record<string, unknown> = { model: modelFor(dataset) }
  const problems: FieldProblem[] = []
  for (const field of teacherFieldsFor(dataset)) {
    const text = (form[field.key] ?? '').trim()
    if (field.type === 'select') {
      config[field.key] = text
      continue
    }
    if (text === '') {
      problems.push({ field: field.key, message: `${field.label}: enter a value`, value: '' })
      continue
    }
    if (field.type === 'int-list') {
      config[field.key] = text
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p) => {
          const n = Number(p)
          return Number.isFinite(n) ? n : p
        })
      continue
    }
    const n = Number(text)
    config[field.key] = Number.isFinite(n) ? n : text
  }
  return { config, problems }
}

/** A field problem as the text under the field, quoting the bad value. */
export function problemText(p: FieldProblem): string {
  return p.value === undefined || p.value === '' ? p.message : `${p.message} (got ${JSON.stringify(p.value)})`
}

export type TeacherSource = 'built-in' | 'trained' | 'imported'

/** Where a teacher came from: trained here (linked run), shipped with the app (absolute path), or imported. */
export function teacherSource(t: TeacherRecord): TeacherSource {
  if (t.runId !== null) return 'trained'
  if (isBuiltinTeacher(t)) return 'built-in'
  return 'imported'
}

/** T and the betas from a teacher's stored config: "T 1000 · linear 1e-4 → 0.02". */
export function teacherSchedule(t: TeacherRecord): string {
  const c = (t.config ?? {}) as Partial<Record<string, unknown>>
  const parts: string[] = []
  if (typeof c.numSteps === 'number') parts.push(`T ${c.numSteps}`)
  if (c.betaSchedule === 'linear' && typeof c.betaStart === 'number' && typeof c.betaEnd === 'number')
    parts.push(`linear ${c.betaStart} → ${c.betaEnd}`)
  else if (typeof c.betaSchedule === 'string') parts.push(c.betaSchedule)
  return parts.length > 0 ? parts.join(' · ') : '—'
}

/** Why the evaluation-samples text is refused, or null (empty = the default). */
export function evalSamplesProblem(text: string): string | null {
  const t = text.trim()
  if (t === '') return null
  const n = Number(t)
  return Number.isInteger(n) && n >= 16 && n <= 100_000
    ? null
    : `Evaluation samples must be an integer from 16 to 100000 (got ${JSON.stringify(t)})`
}

/** The teacher form's validation: the same FormValidation as the distillation forms', over the teacher fields. */
export class TeacherFormValidation extends FormValidation<TeacherConfig> {
  constructor(
    api: ApiClient,
    private readonly form: () => TeacherForm,
    debounceMs: number,
  ) {
    super(api, 'teacher', TEACHER_FORM_FIELDS, debounceMs)
  }

  protected draft(): FormDraft {
    return formToConfig(this.form())
  }
}

export interface TeachersStateOptions {
  navigate?: (route: RunsRoute) => void
  /** The dataset the training form starts on (`#/teachers?dataset=image:<id>` from the run form). */
  dataset?: string
  /** Delay of the validation while typing (ms). */
  validateDelayMs?: number
  /**
   * The image datasets, shared with the view's datasets panel so a dataset imported there is a training
   * choice at once (default: a state of its own).
   */
  datasets?: DatasetsState
}

export class TeachersState {
  teachers = $state.raw<TeacherRecord[]>([])
  /** The imported image datasets (training choices, names for the table), loaded with the teachers. */
  readonly imageDatasets: DatasetsState
  loading = $state(false)
  loaded = $state(false)
  loadError = $state<string | null>(null)
  /** The data folder (relative import/export paths resolve against it), when system.info answered. */
  dataDir = $state<string | null>(null)

  form = $state<TeacherForm>(defaultTeacherForm())
  readonly validation: TeacherFormValidation
  /** A failure to start (or evaluation samples refused), until the form changes. */
  private startError = $state<string | null>(null)
  starting = $state(false)
  /**
   * Samples of the finished teacher's K = 1, 10, 100 evaluation (a run setting, not part of the config);
   * empty = the default, 4000. Image teachers are slow to sample: a few hundred is a quicker check.
   */
  evalSamples = $state('')

  importing = $state(false)
  importError = $state<string | null>(null)
  importResult = $state<string | null>(null)

  exportingId = $state<string | null>(null)
  exportError = $state<{ id: string; message: string } | null>(null)
  /** The teacher being measured (`teachers.measure`), and the last measurement's failure. */
  measuringId = $state<string | null>(null)
  measureError = $state<{ id: string; message: string } | null>(null)
  exportResult = $state<{ id: string; file: string } | null>(null)

  private readonly navigateTo: (route: RunsRoute) => void
  private readonly initialDataset: string | undefined

  constructor(
    private readonly api: ApiClient,
    options: TeachersStateOptions = {},
  ) {
    this.navigateTo = options.navigate ?? (() => {})
    this.validation = new TeacherFormValidation(api, () => this.form, options.validateDelayMs ?? 300)
    this.initialDataset = options.dataset
    this.form = defaultTeacherForm(options.dataset)
    this.imageDatasets = options.datasets ?? new DatasetsState(api)
  }

  get datasets(): ImageDatasetRecord[] {
    return this.imageDatasets.datasets
  }

  /** Built once per datasets list, not on every read (the table reads it twice per row). */
  readonly datasetIndex: DatasetIndex = $derived(indexDatasets(this.datasets))

  get datasetChoices(): DatasetOption[] {
    return datasetOptions(this.datasets)
  }

  /** A dataset value by name (and shape, for image sets). */
  datasetName(dataset: string): string {
    return datasetLabel(dataset, this.datasetIndex)
  }

  /** A teacher's name with the image dataset it embeds named (`image:<id>-seed0` → `tiny-seed0`). */
  teacherName(t: TeacherRecord): string {
    return withDatasetNames(t.name, this.datasetIndex)
  }

  /** Whether the form trains on an image dataset (a U-Net). */
  get isImage(): boolean {
    return isImageDatasetRef(this.form.dataset)
  }

  /** The form's fields for its dataset. */
  get fields(): TeacherFormField[] {
    return teacherFieldsFor(this.form.dataset)
  }

  async load(): Promise<void> {
    this.loading = true
    this.loadError = null
    try {
      // A failed datasets.list stays in imageDatasets.loadError: the image datasets then only lose their
      // names and the training choice.
      const [teachers] = await Promise.all([callOn(this.api, 'teachers.list', {}), this.imageDatasets.load()])
      this.teachers = teachers
      this.loaded = true
    } catch (error) {
      this.loadError = errorText(error, { field: true })
    } finally {
      this.loading = false
    }
    if (this.dataDir === null) {
      try {
        this.dataDir = (await callOn(this.api, 'system.info')).dataDir
      } catch {
        // Only the path hint needs it.
      }
    }
  }

  // --- the training form ----------------------------------------------------------------------------------

  setField(key: TeacherField, value: string): void {
    this.form[key] = value
    if (key === 'dataset') this.form.model = modelFor(value)
    this.validateSoon()
  }

  resetForm(): void {
    this.form = defaultTeacherForm(this.initialDataset)
    this.validation.showProblems([])
    this.startError = null
  }

  /** Field → the text under it. */
  get problems(): Partial<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const [field, problems] of Object.entries(this.validation.problemsByField))
      if (field !== OTHER_PROBLEMS) out[field] = problems.map(problemText).join('; ')
    return out
  }

  /** Problems not tied to a field of the form, a failed validation, and failures to start. */
  get formError(): string | null {
    if (this.startError !== null) return this.startError
    if (this.validation.validationError !== null) return this.validation.validationError
    const other = this.validation.problemsByField[OTHER_PROBLEMS] ?? []
    return other.length > 0 ? other.map((p) => `${p.field}: ${problemText(p)}`).join('; ') : null
  }

  /**
   * "Train teacher" is offered unless the form is known to be invalid (the validation's problems, or
   * evaluation samples out of range), as "Launch run" is; starting validates again anyway.
   */
  get blocked(): boolean {
    return this.validation.blocked || evalSamplesProblem(this.evalSamples) !== null
  }

  /** Validation while typing: debounced; only the latest answer is shown. */
  validateSoon(): void {
    this.startError = null
    this.validation.validateSoon()
  }

  dispose(): void {
    this.validation.dispose()
  }

  /** Validates the form with the backend; returns the full config when valid, else null (problems shown). */
  async validate(): Promise<TeacherConfig | null> {
    // The form may have been edited without setField: always ask again.
    this.validateSoon()
    return (await this.validation.validateNow()) ? this.validation.resolved : null
  }

  /** Validates, starts the teacher run and opens its live view; returns the run id, or null (problems shown). */
  async start(): Promise<string | null> {
    if (this.starting) return null
    this.starting = true
    try {
      const evalText = this.evalSamples.trim()
      const evalSamples = evalText === '' ? undefined : Number(evalText)
      const evalProblem = evalSamplesProblem(this.evalSamples)
      if (evalProblem) {
        this.startError = evalProblem
        return null
      }
      const config = await this.validate()
      if (!config) return null
      const run = await callOn(this.api, 'runs.startTeacher', {
        config: { ...config },
        ...(evalSamples !== undefined ? { evalSamples } : {}),
      })
      this.navigateTo({ name: 'run', id: run.id })
      return run.id
    } catch (error) {
      if (error instanceof ApiCallError && error.error.problems) this.validation.showProblems(error.error.problems)
      else this.startError = `Could not start: ${errorText(error, { field: true })}`
      return null
    } finally {
      this.starting = false
    }
  }

  // --- import / export ------------------------------------------------------------------------------------

  async importTeacher(path: string, name: string): Promise<TeacherRecord | null> {
    this.importError = null
    this.importResult = null
    const p = path.trim()
    if (p === '') {
      this.importError =
        'Enter the path of a teacher checkpoint (.ckpt) on the machine running the app, inside its data folder.'
      return null
    }
    this.importing = true
    try {
      const n = name.trim()
      const teacher = await callOn(this.api, 'teachers.import', n === '' ? { path: p } : { path: p, name: n })
      this.teachers = [teacher, ...this.teachers.filter((t) => t.id !== teacher.id)]
      this.importResult = `Imported “${teacher.name}” (${teacher.dataset}).`
      return teacher
    } catch (error) {
      this.importError = errorText(error, { field: true })
      return null
    } finally {
      this.importing = false
    }
  }

  async exportTeacher(id: string, path: string): Promise<string | null> {
    this.exportError = null
    this.exportResult = null
    const p = path.trim()
    if (p === '') {
      this.exportError = { id, message: 'Enter a file path to write the teacher to.' }
      return null
    }
    this.exportingId = id
    try {
      const { file } = await callOn(this.api, 'teachers.export', { id, path: p })
      this.exportResult = { id, file }
      return file
    } catch (error) {
      this.exportError = { id, message: errorText(error, { field: true }) }
      return null
    } finally {
      this.exportingId = null
    }
  }

  /** Measures a teacher without stored figures (#17) and shows its new figures in place. */
  async measureTeacher(id: string): Promise<void> {
    this.measureError = null
    this.measuringId = id
    try {
      const measured = await callOn(this.api, 'teachers.measure', { id })
      this.teachers = this.teachers.map((t) => (t.id === id ? measured : t))
    } catch (error) {
      this.measureError = { id, message: errorText(error) }
    } finally {
      this.measuringId = null
    }
  }

  openRun(runId: string): void {
    this.navigateTo({ name: 'run', id: runId })
  }
}
