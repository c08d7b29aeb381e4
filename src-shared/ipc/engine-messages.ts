/**
 * Messages between the service side (EngineHost, in main / `clab serve`) and the engine process
 * (src-main/trainer-host). One job at a time; every job ends with exactly one terminal event
 * (`finished`, `failed` or `cancelled`), or the process exits and the host reports `failed`
 * with code ENGINE_EXITED.
 *
 *   host → engine   start {job} · pause · resume · cancel
 *   engine → host   ready · started · progress · metrics · checkpoint · evaluation · samples · paused
 *                   · resumed · finished | failed | cancelled
 *
 * Jobs are validated in the engine process with `HostToEngineSchema` (the configs with the schemas of
 * @shared/config), so a bad payload fails the job with a message naming the field instead of crashing.
 */
import { z } from 'zod'
import type { EvalRow } from '../cd/evaluation'
import { DistillConfigSchema, TeacherConfigSchema, type DistillConfig, type TeacherConfig } from '../config/schemas'

// ---------------------------------------------------------------------------------------------------------
// Host → engine

const runId = z.string({ error: () => 'runId must be a string' }).min(1, { error: () => 'runId must not be empty' })
const path = (what: string) =>
  z.string({ error: () => `${what} must be a path` }).min(1, { error: () => `${what} must not be empty` })
const optionalCount = (what: string, min: number) =>
  z
    .number({ error: () => `${what} must be a number` })
    .int({ error: () => `${what} must be an integer` })
    .min(min, { error: () => `${what} must be at least ${min}` })
    .optional()

export const DistillJobSchema = z
  .object({
    kind: z.literal('distill'),
    runId,
    config: DistillConfigSchema.refine((c) => c.warmupSteps <= c.steps, {
      error: 'warm-up steps must not exceed steps',
      path: ['warmupSteps'],
    }),
    /** The teacher checkpoint (already resolved: `builtin` is accepted too). */
    teacherPath: path('teacherPath'),
    /** `latest.ckpt` (and `final.ckpt` at the end) are written here. */
    checkpointDir: path('checkpointDir'),
    /** Final sample CSVs for 2D data: data.csv, teacher-k100.csv, student-nfe<N>.csv. */
    samplesDir: path('samplesDir'),
    /** The stored image dataset's folder (datasets/<id>) when `config.dataset` is `image:<id>`. */
    datasetDir: path('datasetDir').optional(),
    /** A distill checkpoint to continue from; its config must match `config` except steps and intervals. */
    resumeFrom: path('resumeFrom').optional(),
    /**
     * A branch starts from `resumeFrom` with edited hyperparameters: every config field may differ except
     * those that change what the weights mean (dataset, teacher, algorithm, grid, sigmaData).
     */
    branch: z.boolean().optional(),
    /** Added to `wallMs` of metric points, so a resumed run continues its time axis. */
    wallMsOffset: z.number().min(0).optional(),
  })
  .strict()

export const TeacherJobSchema = z
  .object({
    kind: z.literal('teacher'),
    runId,
    config: TeacherConfigSchema,
    /** `teacher.ckpt` (with optimizer state, as `clab teacher` writes it; distillation loads it) is written here at the end. */
    outDir: path('outDir'),
    /** `latest.ckpt` (with optimizer state) is written here every `checkpointEvery` steps and on pause/cancel. */
    checkpointDir: path('checkpointDir'),
    /**
     * The final evaluation's samples are written here (held-out data and the teacher's K = 100 from the
     * evaluation noise, as a distillation writes them); the teachers list draws its thumbnail from them.
     * Absent in a job queued before 2026-12-06: none are written.
     */
    samplesDir: path('samplesDir').optional(),
    /** The stored image dataset's folder (datasets/<id>) when `config.dataset` is `image:<id>`. */
    datasetDir: path('datasetDir').optional(),
    /** A teacher checkpoint (with optimizer state) to continue from. */
    resumeFrom: path('resumeFrom').optional(),
    /** Default 1000; 0 = only on pause, cancel and at the end. */
    checkpointEvery: optionalCount('checkpointEvery', 0),
    /** Samples for the final K = 1, 10, 100 evaluation; default 4000. */
    evalSamples: optionalCount('evalSamples', 16),
    /** Live previews (20-step DDIM samples from the fixed preview noise) every this many steps; default 500, 0 = none. */
    sampleEvery: optionalCount('sampleEvery', 0),
    wallMsOffset: z.number().min(0).optional(),
  })
  .strict()

export const EngineJobSchema = z.discriminatedUnion('kind', [DistillJobSchema, TeacherJobSchema], {
  error: () => "job.kind must be 'distill' or 'teacher'",
})

export const HostToEngineSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('start'), job: EngineJobSchema }).strict(),
    z.object({ type: z.literal('pause') }).strict(),
    z.object({ type: z.literal('resume') }).strict(),
    z.object({ type: z.literal('cancel') }).strict(),
  ],
  { error: () => "message type must be one of 'start', 'pause', 'resume', 'cancel'" },
)

// Written out (rather than z.infer) so the configs keep their named types in editors and errors.
export interface DistillJob {
  kind: 'distill'
  runId: string
  config: DistillConfig
  teacherPath: string
  checkpointDir: string
  samplesDir: string
  datasetDir?: string
  resumeFrom?: string
  branch?: boolean
  wallMsOffset?: number
}

export interface TeacherJob {
  kind: 'teacher'
  runId: string
  config: TeacherConfig
  outDir: string
  checkpointDir: string
  samplesDir?: string
  datasetDir?: string
  resumeFrom?: string
  checkpointEvery?: number
  evalSamples?: number
  sampleEvery?: number
  wallMsOffset?: number
}

export type EngineJob = DistillJob | TeacherJob

export type HostToEngine =
  { type: 'start'; job: EngineJob } | { type: 'pause' } | { type: 'resume' } | { type: 'cancel' }

// ---------------------------------------------------------------------------------------------------------
// Engine → host

export interface MetricPoint {
  step: number
  loss: number
  lr: number
  /** Milliseconds of training time since the job started (paused time excluded), plus `wallMsOffset`. */
  wallMs: number
}

/** Metric batches are flushed at most every METRICS_FLUSH_MS, or at METRICS_FLUSH_POINTS points. */
export const METRICS_FLUSH_MS = 100
export const METRICS_FLUSH_POINTS = 500

export const ENGINE_ERROR_CODES = [
  /** The job message failed validation (the message names the field). */
  'INVALID_JOB',
  /** A job arrived while another was running. */
  'BUSY',
  /** Loss became NaN or infinite; the last good checkpoint stays. */
  'NON_FINITE_LOSS',
  /** The teacher file is missing, corrupt or for another dataset. */
  'TEACHER',
  /** The resume checkpoint is missing, corrupt or does not match the job. */
  'CHECKPOINT',
  /** The requested compute backend is not available. */
  'BACKEND',
  /** The run's image dataset cannot be opened (missing, damaged, or too small to hold images out). */
  'DATASET',
  /** Writing a checkpoint or samples failed (disk full, permissions). */
  'IO',
  /** A bug or an unexpected error; the engine process exits after reporting it. */
  'INTERNAL',
  /** Synthesised by the host: the process died (signal, OOM, crash) before a terminal event. */
  'ENGINE_EXITED',
] as const
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number]

export interface EngineError {
  code: EngineErrorCode
  message: string
}

export type EngineMessage =
  /** The process listens; the host holds back messages until it sees this. */
  | { type: 'ready'; pid: number }
  /** Backend selected, teacher loaded; `step` is where training starts (0, or the resume step). */
  | { type: 'started'; runId: string; backend: string; skipped: string[]; step: number; totalSteps: number }
  /**
   * Progress of a long phase without steps: the one-off teacher reference evaluation, training the image
   * dataset's classifier (once per dataset, for Fréchet distances), or the final evaluation after the last
   * step (`evaluation`: models x NFE measured of the total, #19).
   */
  | { type: 'progress'; runId: string; phase: EngineProgressPhase; done: number; total: number }
  | { type: 'metrics'; runId: string; points: MetricPoint[] }
  /** `role`: `latest` is overwritten as training goes; `final` is the end state; `teacher` is teacher.ckpt. */
  | {
      type: 'checkpoint'
      runId: string
      step: number
      path: string
      bytes: number
      role: 'latest' | 'final' | 'teacher'
    }
  /** `agreement` is null for a teacher job (there is no student). */
  | { type: 'evaluation'; runId: string; step: number; rows: EvalRow[]; agreement: number | null }
  /**
   * A live preview set (2D): `points` = x0, y0, x1, y1, … drawn from the fixed preview noise `noiseSeed`;
   * `swd` = its sliced Wasserstein to held-out data (null for the data and for a distillation's fixed teacher reference).
   * Image previews leave `points` empty and give `imagePath`, a PNG grid of the set written by the engine process.
   */
  | {
      type: 'preview'
      runId: string
      step: number
      model: EvalRow['model']
      nfe: number
      points: number[]
      imagePath?: string
      swd: number | null
      /** 2D sets of the model being trained: k-NN precision to held-out data (#17); absent otherwise. */
      precision?: number
      noiseSeed: number
      wallMs: number
    }
  /**
   * One file of final samples: `data` (nfe 0), `teacher` (nfe 100) or `student` (nfe N); a CSV of 2D points,
   * or for images (`kind: 'png'`) a PNG grid.
   */
  | {
      type: 'samples'
      runId: string
      step: number
      model: EvalRow['model']
      nfe: number
      path: string
      kind?: 'csv2d' | 'png'
    }
  | { type: 'paused'; runId: string; step: number }
  | { type: 'resumed'; runId: string; step: number }
  | { type: 'finished'; runId: string; step: number; msPerStep: number; lastLoss: number }
  | { type: 'failed'; runId: string; step: number; error: EngineError }
  | { type: 'cancelled'; runId: string; step: number }

export type EngineMessageType = EngineMessage['type']

export const ENGINE_PROGRESS_PHASES = ['reference', 'classifier', 'evaluation'] as const
export type EngineProgressPhase = (typeof ENGINE_PROGRESS_PHASES)[number]

export const TERMINAL_ENGINE_MESSAGES: readonly EngineMessageType[] = ['finished', 'failed', 'cancelled']

export function isTerminalEngineMessage(m: {
  type: string
}): m is Extract<EngineMessage, { type: 'finished' | 'failed' | 'cancelled' }> {
  return (TERMINAL_ENGINE_MESSAGES as readonly string[]).includes(m.type)
}

/** Formats a zod error of a host → engine message as `job.config.numScales: N must be at least 2 (got 1)`. */
export function describeMessageError(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.map(String).join('.') || '(message)'
      const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message
      const value = valueAt(input, issue.path)
      const got = value === undefined || issue.code === 'unrecognized_keys' ? '' : ` (got ${JSON.stringify(value)})`
      return `${field}: ${message}${got}`
    })
    .join('; ')
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}
