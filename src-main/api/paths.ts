/**
 * The paths an API payload may name. Imports read from inside the data folder only (PATH_OUTSIDE_DATA_DIR
 * otherwise); exports write only below its `exports/` folder, which the store never owns: a payload cannot
 * reach lab.sqlite, its -wal/-shm, runs/, teachers/, datasets/ or uploads/, in any letter case, directly or
 * through a link, and never writes over an existing file.
 */
import { existsSync, realpathSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { checkExportTarget, EXPORTS_FOLDER, exportRefusal, isWithin, partsBelow } from '../files/safe-paths'
import { UnsafePathError } from '../files/safe-fs'
import { ApiFailure } from './failure'

export { isWithin }

/**
 * `path` (absolute, or relative to the data folder) as an absolute path inside the data folder; symlinks
 * on the way are followed, so a link pointing out is refused too. Otherwise PATH_OUTSIDE_DATA_DIR.
 */
export function insideDataDir(root: string, path: string, field: string): string {
  const target = resolve(root, path)
  const realRoot = realpathSync(root)
  const outside = () =>
    new ApiFailure(
      'PATH_OUTSIDE_DATA_DIR',
      `${path} is not inside the data folder ${root}; use a path inside it`,
      field,
    )
  if (!isWithin(root, target)) throw outside()
  // Follow symlinks of the deepest existing ancestor.
  let existing = target
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
  const real = resolve(realpathSync(existing), relative(existing, target))
  if (!isWithin(realRoot, real)) throw outside()
  return target
}

/**
 * Where an API export named `path` writes: `path` is absolute or relative to the data folder (as every API
 * path), and must lie below `<data>/exports/`. Outside the data folder: PATH_OUTSIDE_DATA_DIR; elsewhere in
 * it, or through a link: INVALID_PAYLOAD. Both name `field`.
 */
export function apiExportTarget(root: string, path: string, field = 'path'): string {
  const target = insideDataDir(root, path, field)
  const below = partsBelow(root, target)
  if (below === null || below.length < 2 || below[0] !== EXPORTS_FOLDER) {
    const why = exportRefusal(root, target)?.replace(/;.*$/, '') ?? `is not below ${EXPORTS_FOLDER}${sep}`
    throw new ApiFailure(
      'INVALID_PAYLOAD',
      `${path} ${why}; over the API exports go only into ${join(root, EXPORTS_FOLDER)}${sep} (e.g. ${EXPORTS_FOLDER}/<name>)`,
      field,
    )
  }
  return pathFailures(field, () => checkExportTarget(root, target))
}

/** A refused path (a link, an existing file) as INVALID_PAYLOAD naming `field`; anything else as it is. */
function asPayloadFailure(error: unknown, field: string): unknown {
  return error instanceof UnsafePathError ? new ApiFailure('INVALID_PAYLOAD', error.message, field) : error
}

/** Runs `fn`, turning a refused path (a link, an existing file) into INVALID_PAYLOAD naming `field`. */
export function pathFailures<T>(field: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw asPayloadFailure(error, field)
  }
}

/** As pathFailures, for work that is awaited (an import or export that reads and writes asynchronously). */
export async function pathFailuresAsync<T>(field: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw asPayloadFailure(error, field)
  }
}
