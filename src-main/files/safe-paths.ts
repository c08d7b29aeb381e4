/**
 * Where an export may write, for every caller (the API adds its own, narrower rule in api/paths.ts): outside
 * the data folder, or below its `exports/` folder, which the store never owns. Nothing else inside the data
 * folder: not lab.sqlite and its -wal/-shm, not runs/, teachers/, datasets/ or uploads/. Names are compared
 * case-insensitively (on macOS and Windows `RUNS/x` is `runs/x`), and the target is checked both as named and
 * with the links on its way resolved, so a link cannot lead an export into the history.
 */
import { realpathSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { assertNoLinksOnTheWay, lstatOrNull, UnsafePathError } from './safe-fs'

/** The one folder of the data folder that exports may write into. */
export const EXPORTS_FOLDER = 'exports'

/** What the store keeps in the data folder (lower case): the database with its journal files, and its folders. */
export const STORE_OWNED_NAMES = [
  'lab.sqlite',
  'lab.sqlite-wal',
  'lab.sqlite-shm',
  'lab.sqlite-journal',
  'runs',
  'teachers',
  'datasets',
  'uploads',
]

/** Whether `path` lies below the folder `base` (not `base` itself); compared as written. */
export function isWithin(base: string, path: string): boolean {
  const rel = relative(base, path)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

/**
 * The parts of `path` below `root`, comparing without regard to case (a case-insensitive file system sees
 * `/Data/RUNS` as `/data/runs`); `[]` for the root itself, null when `path` is not inside it.
 */
export function partsBelow(root: string, path: string): string[] | null {
  const base = resolve(root)
  const target = resolve(path)
  if (target.toLowerCase() === base.toLowerCase()) return []
  const prefix = base.endsWith(sep) ? base : base + sep
  if (target.length <= prefix.length || target.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase())
    return null
  return target.slice(prefix.length).split(sep)
}

/** Why an export may not write `target`, or null when it may (outside the data folder, or below exports/). */
export function exportRefusal(root: string, target: string): string | null {
  const below = partsBelow(root, target)
  if (below === null) return null
  if (below.length >= 2 && below[0] === EXPORTS_FOLDER) return null
  const into = `export into ${join(root, EXPORTS_FOLDER)}${sep} or outside the data folder`
  if (below.length === 0) return `is the data folder itself; ${into}`
  if (STORE_OWNED_NAMES.includes((below[0] as string).toLowerCase()))
    return `is inside the data folder's ${below[0]}, which belongs to the run history; ${into}`
  return `is inside the data folder ${root}, where only ${EXPORTS_FOLDER}${sep} takes exports; ${into}`
}

/** `path` with the links of its deepest existing ancestor resolved (what a write to it would really reach). */
export function realTarget(path: string): string {
  let existing = resolve(path)
  while (lstatOrNull(existing) === null && dirname(existing) !== existing) existing = dirname(existing)
  let real: string
  try {
    real = realpathSync(existing)
  } catch (error) {
    throw new UnsafePathError(
      existing,
      `cannot be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); a link that points nowhere is refused`,
    )
  }
  return join(real, relative(existing, resolve(path)))
}

/**
 * `path` (absolute) checked as an export target of the data folder `root`: refused with UnsafePathError when
 * it, or what its links lead to, is a place of the run history. Inside the data folder no link is followed at
 * all. Writing then still creates each file exclusively (safe-fs), so nothing existing is overwritten.
 */
export function checkExportTarget(root: string, path: string): string {
  const target = resolve(path)
  const realRoot = realpathSync(root)
  const named = exportRefusal(root, target) ?? exportRefusal(realRoot, target)
  if (named) throw new UnsafePathError(target, named)
  const real = realTarget(target)
  const reached = exportRefusal(realRoot, real) ?? exportRefusal(root, real)
  if (reached) throw new UnsafePathError(target, `leads to ${real}, which ${reached}`)
  const below = partsBelow(root, target) ?? partsBelow(realRoot, target)
  if (below !== null) assertNoLinksOnTheWay(target, below.length)
  return target
}
