/**
 * The data folder (ARCHITECTURE.md "Data"):
 *
 *   <data>/lab.sqlite                  the run history (WAL: lab.sqlite-wal, lab.sqlite-shm beside it)
 *   <data>/runs/<run id>/checkpoints/  checkpoint files (paths in the `checkpoints` table are relative to runs/<id>/)
 *   <data>/runs/<run id>/samples/      sample files   (paths in the `samples` table are relative to runs/<id>/)
 *   <data>/teachers/<teacher id>/      teacher weights
 *
 * Which folder: an explicit option (`--data-dir`, or Electron's userData path in the app) wins over
 * `CLAB_DATA_DIR`, which wins over `~/.consistency-lab`. The path functions are pure; `ensure*` create folders.
 */
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { InvalidIdError } from './errors'

export const DATA_DIR_ENV = 'CLAB_DATA_DIR'
export const DEFAULT_DATA_DIR_NAME = '.consistency-lab'
export const DATABASE_FILE = 'lab.sqlite'

export interface DataDirOptions {
  /** `--data-dir` or the app's userData path. */
  dataDir?: string
  env?: Record<string, string | undefined>
  home?: string
  cwd?: string
}

/** Absolute data folder: explicit option > CLAB_DATA_DIR > ~/.consistency-lab. A leading `~/` is expanded. */
export function resolveDataDir(options: DataDirOptions = {}): string {
  const home = options.home ?? homedir()
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const chosen = nonEmpty(options.dataDir) ?? nonEmpty(env[DATA_DIR_ENV]) ?? join(home, DEFAULT_DATA_DIR_NAME)
  const expanded = chosen === '~' ? home : chosen.startsWith('~/') ? join(home, chosen.slice(2)) : chosen
  return isAbsolute(expanded) ? resolve(expanded) : resolve(cwd, expanded)
}

const nonEmpty = (s: string | undefined): string | undefined => (s !== undefined && s.trim() !== '' ? s : undefined)

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** Throws InvalidIdError unless `id` can name a folder on its own (no separators, no `..`). */
export function assertSafeId(id: string, what: 'run' | 'teacher'): void {
  if (typeof id !== 'string' || !SAFE_ID.test(id) || id.includes('..')) throw new InvalidIdError(String(id), what)
}

export interface DataPaths {
  root: string
  database: string
  runs: string
  teachers: string
}

export function dataPaths(dataDir: string): DataPaths {
  return {
    root: dataDir,
    database: join(dataDir, DATABASE_FILE),
    runs: join(dataDir, 'runs'),
    teachers: join(dataDir, 'teachers'),
  }
}

export interface RunPaths {
  dir: string
  checkpoints: string
  samples: string
}

export function runPaths(dataDir: string, runId: string): RunPaths {
  assertSafeId(runId, 'run')
  const dir = join(dataDir, 'runs', runId)
  return { dir, checkpoints: join(dir, 'checkpoints'), samples: join(dir, 'samples') }
}

export function teacherDir(dataDir: string, teacherId: string): string {
  assertSafeId(teacherId, 'teacher')
  return join(dataDir, 'teachers', teacherId)
}

/** A file stored relative to a run folder (checkpoints, samples) as an absolute path. */
export function runFilePath(dataDir: string, runId: string, relative: string): string {
  return join(runPaths(dataDir, runId).dir, relative)
}

/** Creates the data folder with runs/ and teachers/; returns its paths. */
export function ensureDataDir(dataDir: string): DataPaths {
  const paths = dataPaths(dataDir)
  mkdirSync(paths.runs, { recursive: true })
  mkdirSync(paths.teachers, { recursive: true })
  return paths
}

/** Creates runs/<id>/checkpoints and runs/<id>/samples; returns the paths. */
export function ensureRunDirs(dataDir: string, runId: string): RunPaths {
  const paths = runPaths(dataDir, runId)
  mkdirSync(paths.checkpoints, { recursive: true })
  mkdirSync(paths.samples, { recursive: true })
  return paths
}

export function ensureTeacherDir(dataDir: string, teacherId: string): string {
  const dir = teacherDir(dataDir, teacherId)
  mkdirSync(dir, { recursive: true })
  return dir
}
