/**
 * Run and teacher exports, written asynchronously: new files only, never through a link, in a place the data
 * folder's policy allows, all or nothing; every byte goes through fs/promises, so a server exporting a large
 * run keeps answering its other clients. Folders are still made with quick synchronous calls (safe-fs).
 */
import { rm, rmdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { deepestExisting, type ExportEntry } from './export-run'
import { copyToNewFileAsync, lstatOrNullAsync, makeFoldersNoLinks, UnsafePathError, writeNewFileAsync } from './safe-fs'
import { checkExportTarget, isWithin } from './safe-paths'

/**
 * Writes `entries` (paths relative to `folder`, `/`-separated) as new files below `folder`, which the caller
 * checked with checkExportTarget. An entry that already exists is refused (naming it) before anything is
 * written, and a failure part way removes what was written. Returns the absolute paths written.
 */
export async function writeExportFilesAsync(
  folder: string,
  entries: ReadonlyMap<string, ExportEntry>,
): Promise<string[]> {
  const targets: Array<{ rel: string; target: string }> = []
  for (const rel of [...entries.keys()].sort()) {
    const target = join(folder, ...rel.split('/'))
    if (!isWithin(folder, target)) throw new UnsafePathError(target, `is not inside ${folder}`)
    if ((await lstatOrNullAsync(target)) !== null)
      throw new UnsafePathError(
        target,
        'already exists; nothing is ever written over an existing file, export into a new or empty folder',
      )
    targets.push({ rel, target })
  }
  if ((await lstatOrNullAsync(folder)) && !(await stat(folder)).isDirectory())
    throw new UnsafePathError(folder, 'exists and is not a folder')
  const created: string[] = []
  const written: string[] = []
  try {
    created.push(...makeFoldersNoLinks(deepestExisting(folder), folder))
    for (const { rel, target } of targets) {
      created.push(...makeFoldersNoLinks(folder, dirname(target)))
      const entry = entries.get(rel) as ExportEntry
      if ('bytes' in entry) await writeNewFileAsync(target, entry.bytes)
      else await copyToNewFileAsync(entry.from, target, entry.max)
      written.push(target)
    }
    return written
  } catch (error) {
    await undo(written, created)
    throw error
  }
}

/** Copies the regular file `from` to the new file `to` (checked against the data folder `root`); returns `to`. */
export async function exportFileCopyAsync(root: string, from: string, to: string, max: number): Promise<string> {
  const target = checkExportTarget(root, to)
  const created = makeFoldersNoLinks(deepestExisting(dirname(target)), dirname(target))
  try {
    await copyToNewFileAsync(from, target, max)
    return target
  } catch (error) {
    await undo([], created)
    throw error
  }
}

async function undo(written: string[], created: string[]): Promise<void> {
  try {
    for (const file of written) await rm(file, { force: true })
    for (const dir of [...created].reverse()) await rmdir(dir)
  } catch {
    // The failure that brought us here is the one to report.
  }
}
