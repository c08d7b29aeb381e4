/**
 * The API contract between the UI and the main side, whatever carries it (in-process / Electron IPC, or
 * the WebSocket of `clab serve`): every method with its payload schema and response type, the event
 * stream, and the error codes.
 *
 * - Payloads are validated on the main side with the zod schemas below (the caller is untrusted); a bad
 *   payload gives INVALID_PAYLOAD naming the field. Run configs are validated by `@shared/config`
 *   (INVALID_CONFIG naming the config field).
 * - Errors travel as data: every call resolves to `{ ok: true, value }` or `{ ok: false, error }`.
 * - Events are the RunService's throttled updates (at most 10 metric updates per second per run).
 */
import { z } from 'zod'
import type { FieldProblem } from '../config/validate'
import type { FieldDifference } from '../config/effective'
import type { DistillConfig, TeacherConfig } from '../config/schemas'
import type { Preset } from '../config/presets'
import type { BackendChoice } from '../config/fields'
import { IMAGE_DATASET_KINDS, type ImageDatasetRecord } from '../data/images'
import { checkRunName } from '../run-name-check'
import type {
  EvaluationRecord,
  MetricBucket,
  MetricPoint,
  Run,
  RunListItem,
  RunSummary,
  SampleRecord,
  SeriesPoint,
  TeacherRecord,
} from '../store/types'
import { RUN_KINDS, RUN_STATUSES } from '../store/types'

// --- errors ---------------------------------------------------------------------------------------------

export const API_ERROR_CODES = [
  /** The payload does not match the method's schema; `field` names the first bad field. */
  'INVALID_PAYLOAD',
  /** The run or teacher config is invalid; `field` names the config field, `problems` lists them all. */
  'INVALID_CONFIG',
  /** No such run or teacher. */
  'NOT_FOUND',
  /** The run's status does not allow the operation (pausing a finished run, …). */
  'RUN_STATE',
  /** An import/export path resolves outside the data folder. */
  'PATH_OUTSIDE_DATA_DIR',
  /** A run folder to import is malformed (the message names the file). */
  'RUN_FOLDER',
  /** A dataset file to import is malformed (the message names the file and the problem). */
  'DATASET_FILE',
  /** The method does not exist. */
  'UNKNOWN_METHOD',
  /** No or a wrong token (serve). */
  'UNAUTHORIZED',
  /** The connection to the backend was lost or refused (client side). */
  'TRANSPORT',
  /** Store errors keep their own codes. */
  'DATABASE_BUSY',
  'STORAGE_FULL',
  'DATABASE_TOO_NEW',
  'DATABASE_UNREADABLE',
  'TEACHER_IN_USE',
  'STORE_INPUT',
  /** Anything else; the message says what happened. */
  'INTERNAL',
] as const
export type ApiErrorCode = (typeof API_ERROR_CODES)[number]

export interface ApiError {
  code: ApiErrorCode
  message: string
  /** The payload or config field at fault, e.g. `buckets` or `numScales`. */
  field?: string
  /** INVALID_CONFIG: every bad config field. */
  problems?: FieldProblem[]
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError }

// --- payload schemas --------------------------------------------------------------------------------------

const id = z
  .string({ error: () => 'must be a string' })
  .min(1, { error: () => 'must not be empty' })
  .max(128, { error: () => 'is too long' })
const tag = z
  .string()
  .min(1, { error: () => 'a tag must not be empty' })
  .max(100, { error: () => 'a tag is at most 100 characters' })
const tags = z.array(tag).max(100)
const notes = z.string().max(100_000)
/** A run's new name (#19): checked as the store checks it, so the error names the field; '' = the derived name. */
const runName = z.string({ error: () => 'must be a string' }).superRefine((value, ctx) => {
  try {
    checkRunName(value)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message })
  }
})
const step = z
  .number()
  .int({ error: () => 'must be an integer step' })
  .min(0, { error: () => 'must be at least 0' })
const metricKey = z
  .string()
  .min(1, { error: () => 'must not be empty' })
  .max(200)
/** A config (partial): validated field by field by @shared/config, which fills the defaults. */
const configObject = z.record(z.string(), z.unknown(), { error: () => 'must be an object of config fields' })
const path = z
  .string({ error: () => 'must be a string' })
  .min(1, { error: () => 'must not be empty' })
  .max(4096)
  .refine((p) => !p.includes('\0'), { error: () => 'must not contain NUL' })
const empty = z.object({}).strict().optional()
const sampleId = z
  .number({ error: () => 'must be a sample id (a number)' })
  .int({ error: () => 'must be an integer' })
  .min(1, { error: () => 'must be at least 1' })
const startOptions = { tags: tags.optional(), notes: notes.optional() }

export const API_SCHEMAS = {
  'runs.list': z
    .object({
      kind: z.enum(RUN_KINDS).optional(),
      status: z.union([z.enum(RUN_STATUSES), z.array(z.enum(RUN_STATUSES))]).optional(),
      tags: tags.optional(),
      teacherId: id.optional(),
      parentRunId: id.optional(),
      text: z.string().max(1000).optional(),
      createdAfter: z.number().optional(),
      createdBefore: z.number().optional(),
      metricKeys: z.array(metricKey).max(100).optional(),
      withConfig: z.boolean().optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
      offset: z.number().int().min(0).optional(),
    })
    .strict()
    .optional(),
  'runs.get': z.object({ id }).strict(),
  'runs.start': z.object({ config: configObject, preset: z.string().max(100).optional(), ...startOptions }).strict(),
  'runs.startTeacher': z
    .object({
      config: configObject,
      ...startOptions,
      /** Samples of the final K = 1, 10, 100 evaluation (default 4000; image teachers are slow to sample). */
      evalSamples: z.number().int().min(16).max(100_000).optional(),
      /** Live preview interval in steps (default 500, 0 = none). */
      sampleEvery: z.number().int().min(0).max(1e8).optional(),
    })
    .strict(),
  'runs.sweep': z
    .object({
      base: configObject,
      grid: z.record(
        z.string(),
        z
          .array(z.number())
          .min(1, { error: () => 'a grid axis needs at least one value' })
          .max(1000),
      ),
      ...startOptions,
    })
    .strict(),
  'runs.pause': z.object({ id }).strict(),
  'runs.resume': z.object({ id, steps: z.number().int().min(1).optional() }).strict(),
  'runs.cancel': z.object({ id }).strict(),
  'runs.branch': z.object({ id, overrides: configObject, ...startOptions }).strict(),
  'runs.delete': z.object({ id }).strict(),
  'runs.tag': z.object({ id, tags: tags.min(1, { error: () => 'give at least one tag' }) }).strict(),
  'runs.untag': z.object({ id, tags: tags.min(1, { error: () => 'give at least one tag' }) }).strict(),
  'runs.annotate': z.object({ id, notes }).strict(),
  'runs.rename': z.object({ id, name: runName }).strict(),
  'runs.evaluations': z
    .object({ id, metric: z.string().max(100).optional(), model: z.string().max(100).optional() })
    .strict(),
  /**
   * Writes the run as a folder (run.json, metrics.csv, evaluations.json, samples/, checkpoints/) at `path`:
   * absolute or relative to the data folder, and always below its `exports/` folder, which the store never
   * owns (e.g. `exports/my-run`). Outside the data folder: PATH_OUTSIDE_DATA_DIR; anywhere else in it (lab.sqlite,
   * runs/, datasets/, … in any letter case), through a symbolic link, or onto an existing file: INVALID_PAYLOAD,
   * `field: 'path'`. Files are only ever created, never overwritten; a refused export writes nothing.
   */
  'runs.export': z.object({ id, path }).strict(),
  'runs.import': z.object({ path }).strict(),
  'metrics.list': z.object({ runId: id }).strict(),
  'metrics.downsampled': z
    .object({
      runId: id,
      key: metricKey,
      fromStep: step.optional(),
      toStep: step.optional(),
      buckets: z
        .number({ error: () => 'must be a number' })
        .int({ error: () => 'must be an integer' })
        .min(1, { error: () => 'must be at least 1' })
        .max(100_000, { error: () => 'must be at most 100000' }),
    })
    .strict(),
  'metrics.series': z
    .object({ runId: id, key: metricKey, fromStep: step.optional(), toStep: step.optional() })
    .strict(),
  'samples.list': z
    .object({
      runId: id,
      model: z.string().max(100).optional(),
      nfe: z.number().int().min(0).optional(),
    })
    .strict(),
  'samples.points': z.object({ id: sampleId }).strict(),
  'samples.png': z
    .object({
      id: sampleId,
      /** Width and height of the square image in pixels (default 320). */
      size: z
        .number({ error: () => 'must be a number' })
        .int({ error: () => 'must be an integer' })
        .min(32, { error: () => 'must be at least 32' })
        .max(2048, { error: () => 'must be at most 2048' })
        .optional(),
      /** Draw the run's held-out data faintly behind the points (2D; default true). */
      withData: z.boolean().optional(),
    })
    .strict(),
  'datasets.list': z
    .object({ kind: z.enum(IMAGE_DATASET_KINDS).optional() })
    .strict()
    .optional(),
  /** The first `count` images of a dataset (default 32) as a PNG grid, 8 per row, pixels drawn `scale` x. */
  'datasets.preview': z
    .object({
      id,
      count: z.number().int().min(1).max(256).optional(),
      scale: z.number().int().min(1).max(8).optional(),
    })
    .strict(),
  /**
   * One file from the user's machine (a browser file picker), copied into the data folder's `uploads/` to be
   * named in `datasets.import`. Uploads are staging copies: the import that names them removes them.
   * A large file comes in chunks: the first creates the copy and returns its `path`; each next one names it
   * in `to` with `offset`, the bytes already there, so a lost or repeated chunk is refused, never stored.
   */
  'datasets.upload': z
    .object({
      name: z
        .string({ error: () => 'must be a file name' })
        .min(1, { error: () => 'must not be empty' })
        .max(255, { error: () => 'is too long' }),
      bytes: z.instanceof(Uint8Array, { error: () => 'must be the file bytes' }),
      to: path.optional(),
      offset: z
        .number({ error: () => 'must be a number of bytes' })
        .int({ error: () => 'must be an integer' })
        .min(0, { error: () => 'must not be negative' })
        .optional(),
    })
    .strict()
    .refine((p) => (p.to === undefined) === (p.offset === undefined), {
      error: () => 'give both `to` and `offset` to append a chunk, or neither',
      path: ['offset'],
    }),
  'datasets.import': z
    .object({
      /** IDX images + labels files (raw or .gz) or CIFAR-10 batches, inside the data folder. */
      paths: z
        .array(path)
        .min(1, { error: () => 'give at least one file' })
        .max(100),
      name: z.string().min(1).max(200).optional(),
      kind: z.enum(IMAGE_DATASET_KINDS).optional(),
    })
    .strict(),
  'teachers.list': z
    .object({ dataset: z.string().max(100).optional() })
    .strict()
    .optional(),
  'teachers.import': z.object({ path, name: z.string().min(1).max(200).optional() }).strict(),
  /**
   * Copies a teacher's weights to the new file `path`, under the same rule as `runs.export`: below the data
   * folder's `exports/` (e.g. `exports/teacher.ckpt`), never over an existing file or through a link.
   */
  'teachers.export': z.object({ id, path }).strict(),
  /**
   * Samples a 2D teacher without stored figures (registered before #17, or re-made since it was measured) and
   * stores its precision, recall and SWD at K = 1, 10, 100 against held-out data; seconds on wasm.
   */
  'teachers.measure': z.object({ id }).strict(),
  'config.defaults': empty,
  'config.presets': empty,
  'config.validate': z.object({ kind: z.enum(RUN_KINDS), config: configObject }).strict(),
  'system.info': empty,
} as const

export type ApiMethod = keyof typeof API_SCHEMAS
export const API_METHODS = Object.keys(API_SCHEMAS) as ApiMethod[]

/** What a caller may send for `M` (before validation). */
export type ApiPayload<M extends ApiMethod> = z.input<(typeof API_SCHEMAS)[M]>
/** The payload after validation (what handlers receive). */
export type ApiParsed<M extends ApiMethod> = z.output<(typeof API_SCHEMAS)[M]>

// --- responses ------------------------------------------------------------------------------------------

export interface SeriesSummary {
  key: string
  count: number
  firstStep: number | null
  lastStep: number | null
  lastValue: number | null
}

export interface ConfigValidation {
  valid: boolean
  /** The full config with defaults filled in, when valid. */
  config: DistillConfig | TeacherConfig | null
  /**
   * What the run would train with, when valid (see effective.ts): a distillation's config with its
   * algorithm's fixed values (iCT: mu 0, inverse-gap weighting), a teacher's config as it is.
   */
  effective: DistillConfig | TeacherConfig | null
  /** The fields whose effective value differs from the asked one (empty when invalid). */
  overridden: FieldDifference[]
  problems: FieldProblem[]
}

export interface BackendCandidate {
  name: Exclude<BackendChoice, 'auto'>
  package: string
  /** Whether the package is installed (resolvable); `auto` tries the installed ones in this order. */
  installed: boolean
}

export interface SystemInfo {
  appVersion: string
  dataDir: string
  backends: BackendCandidate[]
  platform: string
  arch: string
  nodeVersion: string
}

/** A stored 2D sample as numbers: `points` holds x0, y0, x1, y1, … (`dim` values per point). */
export interface SamplePoints {
  sample: SampleRecord
  dim: number
  points: number[]
}

/** A sample rendered as a PNG (a scatter over the data for 2D, a grid for images). */
export interface SamplePng {
  sampleId: number
  mime: 'image/png'
  bytes: Uint8Array
}

export interface ApiResponses {
  'runs.list': RunListItem[]
  'runs.get': Run
  'runs.start': Run
  'runs.startTeacher': Run
  'runs.sweep': Run[]
  'runs.pause': Run
  'runs.resume': Run
  'runs.cancel': Run
  'runs.branch': Run
  'runs.delete': { id: string }
  'runs.tag': { id: string; tags: string[] }
  'runs.untag': { id: string; tags: string[] }
  'runs.annotate': Run
  'runs.rename': Run
  'runs.evaluations': EvaluationRecord[]
  /** Absolute paths of the files written. */
  'runs.export': { folder: string; files: string[] }
  'runs.import': Run
  'metrics.list': SeriesSummary[]
  'metrics.downsampled': MetricBucket[]
  'metrics.series': SeriesPoint[]
  'samples.list': SampleRecord[]
  'samples.points': SamplePoints
  'samples.png': SamplePng
  'datasets.list': ImageDatasetRecord[]
  'datasets.preview': { datasetId: string; mime: 'image/png'; bytes: Uint8Array; count: number }
  'datasets.upload': { path: string; bytes: number }
  /** `created` is false when the same data was imported before (datasets are stored once). */
  'datasets.import': { datasets: Array<{ dataset: ImageDatasetRecord; created: boolean }> }
  'teachers.list': TeacherRecord[]
  'teachers.import': TeacherRecord
  /** The absolute path written. */
  'teachers.export': { file: string }
  'teachers.measure': TeacherRecord
  'config.defaults': { distill: DistillConfig; teacher: TeacherConfig }
  'config.presets': Record<string, Preset>
  'config.validate': ConfigValidation
  'system.info': SystemInfo
}

// --- events ---------------------------------------------------------------------------------------------

/**
 * What a run is doing while it has no steps to show (#19): `engine` from launch until the engine has loaded
 * its backend, `preparing` until the first step (the teacher loaded, the first step compiled), the image
 * dataset's `classifier` and the teacher `reference` figures when they are made, and the `evaluation` after
 * the last step (models x NFE measured of the total). `done`/`total` count the phase's items (0 of 0: no
 * count); `since`: when it began (ms since the epoch), for the elapsed time.
 */
export const RUN_PHASES = ['engine', 'preparing', 'classifier', 'reference', 'evaluation'] as const
export type RunPhaseName = (typeof RUN_PHASES)[number]

export interface RunPhase {
  name: RunPhaseName
  done: number
  total: number
  since: number
}

export type ApiEvent =
  /** A run changed (status, tags, notes, backend, …). */
  | { type: 'run'; run: RunSummary }
  /** New metric points of a run since the last update (throttled: at most 10 per second per run). */
  | { type: 'metrics'; runId: string; points: MetricPoint[] }
  /** A new sample of a run (live previews every `sampleEvery` steps, and the final samples). */
  | { type: 'sample'; runId: string; sample: SampleRecord }
  /** A log line of a run's engine. */
  | { type: 'log'; runId: string; line: string }
  /** A run entered a phase or moved on in one; null when it trains steps again or has ended. */
  | { type: 'phase'; runId: string; phase: RunPhase | null }

export type ApiEventType = ApiEvent['type']

// --- the client interface (every transport implements it) ----------------------------------------------

export interface ApiClient {
  call<M extends ApiMethod>(method: M, payload?: ApiPayload<M>): Promise<ApiResult<ApiResponses[M]>>
  subscribe(listener: (event: ApiEvent) => void): () => void
}

// --- the WebSocket wire format --------------------------------------------------------------------------

/** Client → server. */
export interface WireRequest {
  id: number
  method: string
  payload?: unknown
}

/** Server → client: a response to request `id`, or a pushed event. */
export type WireMessage = { id: number | null; result: ApiResult<unknown> } | { event: ApiEventType; data: ApiEvent }

/** The path of the API WebSocket under `clab serve`. */
export const API_WS_PATH = '/api'
