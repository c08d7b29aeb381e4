/**
 * Reading an exported run folder for import, all of it checked before anything is written: run.json through
 * its schema and the run's config through the same validation as a live run's; every file it names a
 * relative path that stays inside the folder, a regular file (no link anywhere on its way), within the size
 * limits (a sample at most MAX_SAMPLE_FILE_BYTES); metrics.csv line by line and evaluations.json. Any problem
 * is a RunFolderError naming the file and the field. Everything is read asynchronously, metrics.csv a chunk
 * at a time, so a server importing a large folder keeps answering its other clients.
 */
import { StringDecoder } from 'node:string_decoder'
import { isAbsolute, join, resolve } from 'node:path'
import type { DistillConfig, TeacherConfig } from '@shared/config/schemas'
import { completeStoredDistillConfig, completeStoredTeacherConfig } from '@shared/config/stored'
import { ConfigError, parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import {
  describeIssue,
  EvaluationFileSchema,
  MAX_RUN_FILES,
  MAX_RUN_STEP,
  MAX_SAMPLE_FILE_BYTES,
  RunFileSchema,
  shortJson,
  type RunFile,
} from '@shared/store/run-file'
import type { MetricPoint } from '@shared/store/types'
import { lstatOrNullAsync, readRegularFileAsync, regularFileChunks, UnsafePathError } from '../files/safe-fs'
import { isWithin } from '../files/safe-paths'
import type { EvaluationInput } from '../store'
import type { TeacherScope } from './teacher-service'

export class RunFolderError extends Error {
  readonly code = 'RUN_FOLDER'
  constructor(folder: string, reason: string) {
    super(`run folder ${folder}: ${reason}`)
    this.name = 'RunFolderError'
  }
}

/** Bytes of run.json (a run with MAX_RUN_FILES records is a few MB). */
export const MAX_RUN_JSON_BYTES = 64 << 20
/** Bytes of evaluations.json. */
export const MAX_EVALUATIONS_BYTES = 64 << 20
/** Bytes of metrics.csv (about 5 million points). */
export const MAX_METRICS_CSV_BYTES = 256 << 20
export const MAX_METRIC_POINTS = 10_000_000
/** Bytes of one sample or checkpoint file. */
export const MAX_RUN_FILE_BYTES = 2 ** 30
/** Bytes of all the files of one run folder together. */
export const MAX_RUN_FOLDER_BYTES = 16 * 2 ** 30

export type { TeacherScope }

export interface RunFolderFile {
  /** Relative to the run folder, `/`-separated. */
  rel: string
  from: string
  bytes: number
  /** Its cap (a sample's is lower), checked again by the copy. */
  max: number
}

export interface CheckedRunFolder {
  source: string
  run: RunFile
  config: DistillConfig | TeacherConfig
  metrics: MetricPoint[]
  evaluations: EvaluationInput[]
  /** Every file to copy, once each. */
  files: RunFolderFile[]
}

export interface CheckOptions {
  /** The data folder of the history importing the run. */
  root: string
  teacherScope: TeacherScope
}

export async function checkRunFolder(folder: string, options: CheckOptions): Promise<CheckedRunFolder> {
  const source = resolve(folder)
  const fail = (reason: string) => new RunFolderError(source, reason)
  const stat = await lstatOrNullAsync(source)
  if (!stat) throw fail('does not exist')
  if (stat.isSymbolicLink()) throw fail('is a symbolic link; give the folder itself')
  if (!stat.isDirectory()) throw fail('is not a folder')

  const raw = await readJson(source, 'run.json', MAX_RUN_JSON_BYTES)
  const parsed = RunFileSchema.safeParse(raw)
  if (!parsed.success) throw fail(`run.json: ${describeIssue(parsed.error, raw)}`)
  const run = parsed.data
  const config = checkedConfig(source, run, options)

  const files = new Map<string, RunFolderFile>()
  let total = 0
  const addFile = async (path: string, field: string, required: boolean, maxBytes = MAX_RUN_FILE_BYTES) => {
    const rel = relativePath(source, path, field)
    // Samples come first: a file named by a sample and by a checkpoint was held to the sample's cap.
    if (files.has(rel)) return
    const from = join(source, ...rel.split('/'))
    if (!required && (await lstatOrNullAsync(from)) === null) return
    const bytes = await regularFileInside(source, rel, field, maxBytes)
    total += bytes
    if (files.size >= MAX_RUN_FILES) throw fail(`lists more than ${MAX_RUN_FILES} files`)
    if (total > MAX_RUN_FOLDER_BYTES) throw fail(`its files hold more than ${MAX_RUN_FOLDER_BYTES} bytes together`)
    files.set(rel, { rel, from, bytes, max: maxBytes })
  }
  for (const [i, s] of run.samples.entries()) {
    if (s.path) await addFile(s.path, `samples.${i}.path`, true, MAX_SAMPLE_FILE_BYTES)
  }
  for (const [i, c] of run.checkpoints.entries()) await addFile(c.path, `checkpoints.${i}.path`, true)
  if (run.kind === 'teacher') await addFile('teacher.ckpt', 'teacher.ckpt', false)

  const evaluationsRaw = await readJson(source, 'evaluations.json', MAX_EVALUATIONS_BYTES)
  const evaluations = EvaluationFileSchema.safeParse(evaluationsRaw)
  if (!evaluations.success) throw fail(`evaluations.json: ${describeIssue(evaluations.error, evaluationsRaw)}`)
  return {
    source,
    run,
    config,
    metrics: await readMetrics(source),
    evaluations: evaluations.data.map((e) => ({
      step: e.step,
      metric: e.metric,
      model: e.model,
      nfe: e.nfe,
      value: e.value ?? Number.NaN,
    })),
    files: [...files.values()],
  }
}

/** The run's config, validated as a live run's is; a distill run's teacher checked against `teacherScope`. */
function checkedConfig(source: string, run: RunFile, options: CheckOptions): DistillConfig | TeacherConfig {
  let config: DistillConfig | TeacherConfig
  try {
    config =
      run.kind === 'distill'
        ? parseDistillConfig(completeStoredDistillConfig(run.config))
        : parseTeacherConfig(completeStoredTeacherConfig(run.config))
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    const problem = error.problems[0]
    const got = problem?.value === undefined ? '' : ` (got ${shortJson(problem.value)})`
    throw new RunFolderError(
      source,
      `run.json: ${problem ? `config.${problem.field}: ${problem.message}${got}` : error.message}`,
    )
  }
  if (
    'teacher' in config &&
    options.teacherScope === 'data-folder' &&
    !teacherInsideDataFolder(options.root, config.teacher)
  ) {
    throw new RunFolderError(
      source,
      `run.json: config.teacher: ${shortJson(config.teacher)} is a path outside the data folder ${options.root}; an imported run may name builtin, a teacher id, or a checkpoint inside the data folder`,
    )
  }
  return config
}

/** `builtin`, an id or a file name, or a path that stays inside the data folder. */
function teacherInsideDataFolder(root: string, teacher: string): boolean {
  if (teacher === 'builtin') return true
  const parts = teacher.split(/[\\/]/)
  if (parts.includes('..')) return false
  return isWithin(root, resolve(root, teacher))
}

/**
 * A file path of run.json as a `/`-separated path inside the folder: relative, no `..`, `.` or empty parts,
 * no drive letters or NUL. `\` counts as a separator (a folder exported on Windows).
 */
function relativePath(source: string, path: string, field: string): string {
  const parts = path.split(/[\\/]/)
  const bad =
    path.includes('\0') || isAbsolute(path) || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes(':'))
  if (bad || !isWithin(source, resolve(source, ...parts))) {
    throw new RunFolderError(
      source,
      `run.json: ${field}: ${shortJson(path)} must be a path inside the run folder (relative, no '..', '.', empty parts or drive letters)`,
    )
  }
  return parts.join('/')
}

const tooLarge = (source: string, rel: string, field: string, bytes: number, maxBytes: number) =>
  new RunFolderError(
    source,
    `${rel} (run.json ${field}) is ${bytes} bytes, more than the ${maxBytes} allowed${maxBytes === MAX_SAMPLE_FILE_BYTES ? ' for a sample' : ''}`,
  )

/** The size of the regular file `rel` in `source`; every folder on its way a real folder, nothing a link. */
async function regularFileInside(source: string, rel: string, field: string, maxBytes: number): Promise<number> {
  const parts = rel.split('/')
  let at = source
  for (let i = 0; i < parts.length; i++) {
    at = join(at, parts[i] as string)
    const stat = await lstatOrNullAsync(at)
    const shown = parts.slice(0, i + 1).join('/')
    if (!stat) throw new RunFolderError(source, `${rel} is listed (run.json ${field}) but missing`)
    if (stat.isSymbolicLink())
      throw new RunFolderError(
        source,
        `${shown} (run.json ${field}) is a symbolic link; links are refused, copy the file itself`,
      )
    const last = i === parts.length - 1
    if (!last && !stat.isDirectory()) throw new RunFolderError(source, `${shown} (run.json ${field}) is not a folder`)
    if (last && !stat.isFile()) throw new RunFolderError(source, `${rel} (run.json ${field}) is not a regular file`)
    if (last && stat.size > maxBytes) throw tooLarge(source, rel, field, stat.size, maxBytes)
    if (last) return stat.size
  }
  throw new RunFolderError(source, `run.json ${field}: empty path`)
}

/** A refusal of the file `name` itself (missing, a link, too large, changed while read) as a RunFolderError. */
async function named<T>(source: string, name: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof UnsafePathError) throw new RunFolderError(source, `${name} ${error.reason}`)
    throw error
  }
}

async function readJson(source: string, name: string, maxBytes: number): Promise<unknown> {
  const text = (await named(source, name, () => readRegularFileAsync(join(source, name), maxBytes))).toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new RunFolderError(source, `${name} is not valid JSON (${(error as Error).message})`)
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/
const SPECIAL = new Set(['NaN', 'Infinity', '-Infinity'])
const HEADER = 'key,step,value,wall_ms'

/**
 * metrics.csv: `key,step,value,wall_ms`; values may be NaN or ±Infinity (as logged), nothing else odd. Read
 * and checked a chunk at a time (never the whole file as one string); blank lines at either end are ignored.
 */
async function readMetrics(source: string): Promise<MetricPoint[]> {
  const points: MetricPoint[] = []
  let lineNo = 0
  let header: string | null = null
  /** Line number of the first of the blank lines just read: an error if a point follows them. */
  let blankSince = 0
  const take = (raw: string) => {
    lineNo++
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') {
      if (blankSince === 0) blankSince = lineNo
      return
    }
    if (header === null) {
      header = line.trimStart()
      if (header !== HEADER)
        throw new RunFolderError(source, `metrics.csv: header must be "${HEADER}" (got ${shortJson(header)})`)
      blankSince = 0
      return
    }
    if (blankSince !== 0)
      throw new RunFolderError(source, `metrics.csv line ${blankSince}: expected 4 comma-separated cells: ""`)
    if (points.length >= MAX_METRIC_POINTS)
      throw new RunFolderError(source, `metrics.csv holds more than ${MAX_METRIC_POINTS} points`)
    points.push(metricPoint(source, line, lineNo))
  }
  const decoder = new StringDecoder('utf8')
  let rest = ''
  await named(source, 'metrics.csv', async () => {
    for await (const chunk of regularFileChunks(join(source, 'metrics.csv'), MAX_METRICS_CSV_BYTES)) {
      const lines = (rest + decoder.write(chunk)).split('\n')
      rest = lines.pop() as string
      for (const line of lines) take(line)
    }
  })
  take(rest + decoder.end())
  if (header === null) throw new RunFolderError(source, `metrics.csv: header must be "${HEADER}" (got "")`)
  return points
}

function metricPoint(source: string, line: string, lineNo: number): MetricPoint {
  const cells = line.split(',')
  const [key = '', step = '', value = '', wall = ''] = cells
  const bad = (what: string) => new RunFolderError(source, `metrics.csv line ${lineNo}: ${what}: ${shortJson(line)}`)
  if (cells.length !== 4) throw bad('expected 4 comma-separated cells')
  if (key.length === 0 || key.length > 128) throw bad('key must be 1–128 characters')
  const s = Number(step)
  if (!/^\d+$/.test(step) || !Number.isSafeInteger(s) || s > MAX_RUN_STEP)
    throw bad(`step must be an integer in [0, ${MAX_RUN_STEP}]`)
  if (!NUMBER.test(value) && !SPECIAL.has(value)) throw bad('value must be a number, NaN or ±Infinity')
  const w = Number(wall)
  if (!/^\d+$/.test(wall) || !Number.isSafeInteger(w)) throw bad('wall_ms must be a whole number of milliseconds')
  return { key, step: s, value: Number(value), wallMs: w }
}
