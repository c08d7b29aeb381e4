/**
 * `run.json` of an exported run folder, as an import reads it: every field checked before anything is written
 * (the run's own fields here; its config goes through the same validation as a live run's, in the importer).
 * Older exports lack `role` on samples and some config fields; both are still read. Unknown fields are
 * dropped, so a folder from a newer version still imports what this version knows.
 */
import { z } from 'zod'
import { RUN_VERDICTS } from '../cd/verdict'
import { PARENT_KINDS, RUN_KINDS, RUN_STATUSES, SAMPLE_ROLES } from './types'
import { RUN_NAME_MAX } from '../run-name-check'

/** Notes as the API caps them (`runs.annotate`, `runs.start`). */
export const MAX_NOTES_CHARS = 100_000
/** Tags of one run (the API's cap), each as the store takes it: 1–64 characters, no commas. */
export const MAX_TAGS = 100
/** Steps, NFEs and byte counts above this are not a run of this lab (1e12 steps is years of training). */
export const MAX_RUN_STEP = 1e12
/** Sample and checkpoint records of one run folder; each names a file. */
export const MAX_RUN_FILES = 10_000
/**
 * Bytes of one sample file (a CSV of points, a PNG grid): a few MB at most from a live run. Capped well below
 * what the API can send back (`samples.png` reads it whole and answers it as base64).
 */
export const MAX_SAMPLE_FILE_BYTES = 64 << 20
/** Characters in a file path inside a run folder. */
export const MAX_RUN_PATH_CHARS = 1024

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
const TAG = /^[^\s,][^,]{0,63}$/u

const integer = (min: number, max: number) =>
  z
    .number({ error: () => 'must be a number' })
    .int({ error: () => 'must be an integer' })
    .min(min, { error: () => `must be at least ${min}` })
    .max(max, { error: () => `must be at most ${max}` })
const step = integer(0, MAX_RUN_STEP)
const safeInteger = integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
const text = (max: number) =>
  z.string({ error: () => 'must be a string' }).max(max, { error: () => `must be at most ${max} characters` })
/** Only shape here: the importer resolves each path inside the folder and looks at the file itself. */
const filePath = z
  .string({ error: () => 'must be a path relative to the run folder' })
  .min(1, { error: () => 'must not be empty' })
  .max(MAX_RUN_PATH_CHARS, { error: () => `must be at most ${MAX_RUN_PATH_CHARS} characters` })

export const RunFileSampleSchema = z.object({
  step,
  nfe: integer(0, 1_000_000),
  kind: z.enum(['csv2d', 'png', 'points2d'], { error: () => 'must be csv2d, png or points2d' }),
  model: text(100)
    .min(1, { error: () => 'must not be empty' })
    .optional(),
  role: z.enum(SAMPLE_ROLES, { error: () => `must be one of ${SAMPLE_ROLES.join(', ')}` }).optional(),
  noiseSeed: safeInteger,
  /** Null for a sample that had no file (nothing to import). */
  path: filePath.nullable().optional(),
})

export const RunFileCheckpointSchema = z.object({
  step,
  path: filePath,
  bytes: step.optional(),
})

export const RunFileSchema = z.object({
  id: z
    .string({ error: () => 'must be a run id' })
    .regex(RUN_ID, { error: () => 'must be a run id (letters, digits, . _ -; at most 128)' }),
  kind: z.enum(RUN_KINDS, { error: () => `must be one of ${RUN_KINDS.join(', ')}` }),
  status: z.enum(RUN_STATUSES, { error: () => `must be one of ${RUN_STATUSES.join(', ')}` }),
  config: z.record(z.string(), z.unknown(), { error: () => 'must be an object of config fields' }),
  appVersion: text(100).min(1, { error: () => 'must not be empty' }),
  parentRunId: text(128).nullable().optional(),
  parentKind: z
    .enum(PARENT_KINDS, { error: () => `must be one of ${PARENT_KINDS.join(', ')}` })
    .nullable()
    .optional(),
  parentStep: step.nullable().optional(),
  backend: text(100).nullable().optional(),
  seed: safeInteger.nullable().optional(),
  /** Milliseconds since 1970, as every time of the history (not a date string). */
  createdAt: z
    .number({ error: () => 'must be a time in milliseconds since 1970 (a number, not a date string)' })
    .int({ error: () => 'must be a whole number of milliseconds' })
    .min(0, { error: () => 'must not be before 1970' })
    .max(8.64e15, { error: () => 'is past the last date JavaScript can hold' }),
  /** The run's name (#19); folders exported before names get the derived one. */
  name: text(RUN_NAME_MAX).optional(),
  notes: text(MAX_NOTES_CHARS).default(''),
  /** A finished run that went wrong (#19, @shared/cd/verdict); folders exported before verdicts have none. */
  verdict: z
    .enum(RUN_VERDICTS, { error: () => `must be one of ${RUN_VERDICTS.join(', ')} or null` })
    .nullable()
    .optional(),
  verdictReason: text(MAX_NOTES_CHARS).nullable().optional(),
  /** A distillation's grid top step, recorded at launch (Run.gridTop); folders exported before it have none. */
  gridTop: integer(1, MAX_RUN_STEP).nullable().optional(),
  tags: z
    .array(
      z
        .string({ error: () => 'must be a string' })
        .regex(TAG, { error: () => 'a tag is 1–64 characters without commas' }),
      { error: () => 'must be a list of tags' },
    )
    .max(MAX_TAGS, { error: () => `at most ${MAX_TAGS} tags` })
    .default([]),
  samples: z
    .array(RunFileSampleSchema, { error: () => 'must be a list of samples' })
    .max(MAX_RUN_FILES, { error: () => `at most ${MAX_RUN_FILES} samples` })
    .default([]),
  checkpoints: z
    .array(RunFileCheckpointSchema, { error: () => 'must be a list of checkpoints' })
    .max(MAX_RUN_FILES, { error: () => `at most ${MAX_RUN_FILES} checkpoints` })
    .default([]),
})

export type RunFile = z.output<typeof RunFileSchema>

/** One evaluation of `evaluations.json` (a NaN value was written as null by JSON). */
export const EvaluationFileSchema = z
  .array(
    z.object({
      step,
      metric: text(100).min(1, { error: () => 'must not be empty' }),
      model: text(100).min(1, { error: () => 'must not be empty' }),
      nfe: integer(0, 1_000_000),
      value: z.number({ error: () => 'must be a number or null' }).nullable(),
    }),
    { error: () => 'must be a list of evaluations' },
  )
  .max(1_000_000, { error: () => 'at most 1000000 evaluations' })

/** The first problem of a failed parse as `field: message (got value)`, the value cut short. */
export function describeIssue(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0]
  if (!issue) return 'is invalid'
  const field = issue.path.join('.') || '(top level)'
  let value: unknown = input
  for (const key of issue.path)
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[key as PropertyKey]
        : undefined
  const got = value === undefined ? '' : ` (got ${shortJson(value)})`
  return `${field}: ${issue.message}${got}`
}

/** JSON of `value`, at most ~80 characters (a 5 MB note is named by its length, not printed). */
export function shortJson(value: unknown): string {
  if (typeof value === 'string' && value.length > 80) return `a string of ${value.length} characters`
  const json = JSON.stringify(value) ?? String(value)
  return json.length > 80 ? `${json.slice(0, 77)}...` : json
}
