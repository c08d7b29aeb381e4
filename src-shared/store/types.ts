/**
 * Rows and read models of the run history (src-main/store), shared so services, IPC and the renderer
 * speak the same shapes. Times are milliseconds since the Unix epoch (UTC); steps are integers.
 */

import type { RunVerdict } from '../cd/verdict'
import type { RunPhase } from '../ipc/api'
import type { TeacherQuality } from './teacher-quality'

export const RUN_KINDS = ['distill', 'teacher'] as const
export type RunKind = (typeof RUN_KINDS)[number]

export const RUN_STATUSES = ['queued', 'running', 'paused', 'finished', 'failed', 'cancelled', 'interrupted'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Statuses a run does not leave by itself; entering one sets `finishedAt`. */
export const TERMINAL_STATUSES: readonly RunStatus[] = ['finished', 'failed', 'cancelled', 'interrupted']

/** How a run relates to its parent: continued from a checkpoint, or a new branch with changed settings. */
export const PARENT_KINDS = ['resume', 'branch'] as const
export type ParentKind = (typeof PARENT_KINDS)[number]

/** The last point of one metric series. `value` is NaN when the last value logged was NaN. */
export interface LastMetric {
  step: number
  value: number
}

/** A run without its config: what lists show. */
export interface RunSummary {
  id: string
  /**
   * What people call the run ("cd N6 mu0 lr2e-3"): the user's name, else derived from its config
   * (@shared/run-name). The history always fills it; optional for summaries built elsewhere.
   */
  name?: string
  kind: RunKind
  status: RunStatus
  teacherId: string | null
  parentRunId: string | null
  parentKind: ParentKind | null
  parentStep: number | null
  backend: string | null
  appVersion: string
  seed: number | null
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  error: string | null
  notes: string
  tags: string[]
  /**
   * `diverged`: the run finished but went wrong (@shared/cd/verdict); null when nothing said so, including
   * every run stored before verdicts existed. Optional for summaries built outside the history.
   */
  verdict?: RunVerdict | null
  /** Why, in words with the figures (null without a verdict). */
  verdictReason?: string | null
}

/** A listed run with the last value of each of its metric series (by key). */
export interface RunListItem extends RunSummary {
  lastMetrics: Record<string, LastMetric>
  /** The run's config, when the listing asked for it (`withConfig`). */
  config?: unknown
  /** What the run trains with, beside `config` when the listing asked for it (see Run). */
  effectiveConfig?: unknown
}

/** A run with its config (stored as JSON, written before step 0). */
export interface Run extends RunSummary {
  /** The config as asked. */
  config: unknown
  /**
   * What the run trains with: for a distillation the config with its algorithm's fixed values (iCT's mu 0
   * and inverse-gap weighting) and the fields added since filled as older runs ran them, computed on read
   * from `config` (storedEffectiveConfig); a teacher run's config. The history fills it; a run built
   * elsewhere may lack it.
   */
  effectiveConfig?: unknown
  /**
   * A distillation's grid top: the teacher step its N levels top out at (EffectiveDistill.gridTop), recorded at
   * launch from the teacher's schedule, which the stored config cannot say; null for runs stored before it was
   * recorded. Absent for teacher runs.
   */
  gridTop?: number | null
  /** What an active run is doing between its steps (#19), as the run service knows it: never stored. */
  phase?: RunPhase | null
}

export interface TeacherRecord {
  id: string
  name: string
  dataset: string
  /** Where the weights are: a path relative to the data folder, or absolute (built-in teachers). */
  path: string
  config: unknown
  /** The teacher-training run that produced it, when it was trained here. */
  runId: string | null
  createdAt: number
  notes: string
  /**
   * Precision, recall and SWD of its samples at K = 1, 10, 100 against held-out data, and a thumbnail (#17);
   * null when not measured. Absent where a teacher record is not read through the teacher service.
   */
  quality?: TeacherQuality | null
}

/**
 * The built-in 2D teachers are listed with the history's own as `builtin-<dataset>` (weights in the app's
 * resources, never in the database); a run config names them `builtin`.
 */
export function builtinTeacherId(dataset: string): string {
  return `builtin-${dataset}`
}

export function isBuiltinTeacher(teacher: Pick<TeacherRecord, 'id'>): boolean {
  return teacher.id.startsWith('builtin-')
}

/** One metric point. `wallMs` defaults to the time of the append. NaN and ±Infinity are kept; -0 reads back as 0. */
export interface MetricPoint {
  key: string
  step: number
  value: number
  wallMs?: number
}

/** A stored metric point, as read back in full (for export). */
export interface SeriesPoint {
  step: number
  value: number
  wallMs: number
}

/**
 * One bucket of a downsampled series: every stored point with `start <= step <= end` is summarised exactly.
 * NaN values count in `count` and can be `first`/`last`, but are skipped by `min`/`max` (null when the
 * bucket holds only NaN).
 */
export interface MetricBucket {
  /** Bucket number, 0-based, in [0, buckets). Empty buckets are left out. */
  index: number
  /** Step bounds of the bucket (inclusive), whether or not points sit on them. */
  start: number
  end: number
  count: number
  firstStep: number
  lastStep: number
  /** Value at `firstStep`. */
  first: number
  /** Value at `lastStep` (the largest step in the bucket). */
  last: number
  /** Wall-clock time (ms since the epoch) logged with the point at `lastStep`, for x = wall time. */
  lastWallMs: number
  min: number | null
  max: number | null
}

export interface DownsampleQuery {
  /** Inclusive bounds; default to the series' first and last step. */
  fromStep?: number
  toStep?: number
  /** How many equal-width step buckets to cut the range into (≥ 1). */
  buckets: number
}

export interface EvaluationRecord {
  id: number
  runId: string
  step: number
  /** What was measured, e.g. `swd`, `mmd`. */
  metric: string
  /** Which network: `student`, `ema`, `teacher`, `data`, … */
  model: string
  nfe: number
  value: number
  createdAt: number
}

/**
 * What a sample is for: `preview`, drawn while the run trains from the fixed preview noise (PREVIEW_NOISE_SEED,
 * the same in every run, few samples); `final`, the final evaluation's samples from the run's own evaluation
 * noise (`evalSamples` of them).
 */
export const SAMPLE_ROLES = ['preview', 'final'] as const
export type SampleRole = (typeof SAMPLE_ROLES)[number]

/** The noise seed of every live preview, in every run (so previews of different runs compare sample by sample). */
export const PREVIEW_NOISE_SEED = 20_251_126

export interface SampleRecord {
  id: number
  runId: string
  step: number
  nfe: number
  role: SampleRole
  /**
   * The format: `points2d` (little-endian float32 x, y pairs in a blob), `csv2d` (a CSV file with header
   * `x,y`) or `png`.
   */
  kind: string
  /** Which network drew it: `student` (the evaluation EMA), `teacher`, or `data` (held-out points). */
  model: string
  /** File relative to the run folder (`runs/<id>/`), or null when the sample is stored as a blob. */
  path: string | null
  /** Whether a blob is stored (read it with the samples repository's `readBlob`). */
  hasBlob: boolean
  bytes: number | null
  noiseSeed: number
  createdAt: number
}

export interface CheckpointRecord {
  id: number
  runId: string
  step: number
  /** File relative to the run folder (`runs/<id>/`). */
  path: string
  bytes: number
  createdAt: number
}
