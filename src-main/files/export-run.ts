/**
 * Export files: `--export DIR` (config.json, metrics.json and, for 2D data, CSV files with header `x,y`).
 * The CLI's own export folders (writeCliExport) may be refreshed by a re-run, but never lie in the data
 * folder's own files; run and teacher exports, which only ever create new files, are export-files.ts.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { writeFileAtomic } from './checkpoint-file'
import { copyToNewFile, lstatOrNull, makeFoldersNoLinks, UnsafePathError, writeNewFile } from './safe-fs'
import { checkExportTarget } from './safe-paths'

export function pointsCsv(points: Float32Array, dim: number): string {
  const header = dim === 2 ? 'x,y' : Array.from({ length: dim }, (_, j) => `x${j}`).join(',')
  const lines = [header]
  for (let i = 0; i < points.length / dim; i++) {
    const row: string[] = []
    for (let j = 0; j < dim; j++) row.push(String(points[i * dim + j]))
    lines.push(row.join(','))
  }
  return `${lines.join('\n')}\n`
}

export interface ExportFiles {
  json: Record<string, unknown>
  csv: Record<string, { points: Float32Array; dim: number }>
}

/** Files the app itself keeps in a run's folder (teacher.json beside its checkpoint); never a user's path. */
export function writeExport(dir: string, files: ExportFiles): string[] {
  mkdirSync(dir, { recursive: true })
  const written: string[] = []
  for (const [name, value] of Object.entries(files.json)) {
    const path = join(dir, name)
    writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`)
    written.push(path)
  }
  for (const [name, { points, dim }] of Object.entries(files.csv)) {
    const path = join(dir, name)
    writeFileAtomic(path, pointsCsv(points, dim))
    written.push(path)
  }
  return written
}

/** One file of an export: bytes made here, or a copy of a file of the history (a regular file, at most `max` bytes). */
export type ExportEntry = { bytes: Uint8Array | string } | { from: string; max: number }

/** The deepest part of `path` that exists (lstat: a link counts as existing). */
export function deepestExisting(path: string): string {
  let at = resolve(path)
  while (lstatOrNull(at) === null && dirname(at) !== at) at = dirname(at)
  return at
}

/**
 * A CLI export (`clab teacher --out`, `clab distill --export`, `clab runs resume --export`): `entries` (plain
 * file names) into `dir`, which checkExportTarget must allow for the data folder `root`, so a named folder
 * inside the history (another teacher's folder, a run's samples) is refused with UnsafePathError before
 * anything is written. The folder is the user's own, so a file left by an earlier export is replaced (a re-run
 * refreshes it): each file is made as a new temporary file beside its name (exclusive, never through a link)
 * and renamed over the name, which replaces a link planted there instead of writing through it.
 * Returns the absolute paths written.
 */
export function writeCliExport(root: string, dir: string, entries: ReadonlyMap<string, ExportEntry>): string[] {
  const folder = checkExportTarget(root, dir)
  const names = [...entries.keys()]
  for (const name of names) {
    if (name === '' || basename(name) !== name || name === '.' || name === '..')
      throw new UnsafePathError(join(folder, name), `is not a plain file name in ${folder}`)
  }
  makeFoldersNoLinks(deepestExisting(folder), folder)
  if (!statSync(folder).isDirectory()) throw new UnsafePathError(folder, 'exists and is not a folder')
  const written: string[] = []
  for (const name of names) {
    const target = join(folder, name)
    const temp = join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`)
    const entry = entries.get(name) as ExportEntry
    try {
      if ('bytes' in entry) writeNewFile(temp, entry.bytes)
      else copyToNewFile(entry.from, temp, entry.max)
      renameSync(temp, target)
    } catch (error) {
      rmSync(temp, { force: true })
      throw error
    }
    written.push(target)
  }
  return written
}

/** ExportFiles (JSON documents, point CSVs) as the entries of an export. */
export function exportEntries(files: ExportFiles): Map<string, ExportEntry> {
  const entries = new Map<string, ExportEntry>()
  for (const [name, value] of Object.entries(files.json))
    entries.set(name, { bytes: `${JSON.stringify(value, null, 2)}\n` })
  for (const [name, { points, dim }] of Object.entries(files.csv)) entries.set(name, { bytes: pointsCsv(points, dim) })
  return entries
}
