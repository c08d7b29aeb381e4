/**
 * Staged uploads for `datasets.upload`: files from the user's machine copied into
 * `<data folder>/uploads/<uuid>/<name>` so that `datasets.import` can name them; the import consumes them.
 *
 * Sizes are checked before anything is written: one upload may hold MAX_UPLOAD_FILE_BYTES, all staged
 * uploads together MAX_UPLOADS_BYTES, so a client that keeps sending chunks cannot fill the disk. A chunk
 * that would pass either limit is refused and the copy keeps its size. Uploads never imported (a closed
 * browser tab, a refused import that was not retried) are removed at the next start once a day old.
 */
import { randomUUID } from 'node:crypto'
import {
  appendFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { basename, isAbsolute, join, relative, sep } from 'node:path'
import { ApiFailure } from './failure'
import { insideDataDir, isWithin } from './paths'

/** Where `datasets.upload` stages files (inside the data folder, so `datasets.import` may name them). */
export const UPLOADS_FOLDER = 'uploads'
/** One staged file: as large as the largest import the importer takes by default (1 GiB). */
export const MAX_UPLOAD_FILE_BYTES = 1024 ** 3
/** All staged uploads together: a few imports' worth, waiting to be imported. */
export const MAX_UPLOADS_BYTES = 4 * 1024 ** 3
/** An upload untouched this long was abandoned: its import never came. */
export const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000

const GIB = 1024 ** 3
const sizeText = (bytes: number) => `${bytes} bytes (${bytes / GIB} GiB)`

/** The first (or only) chunk of an upload: a new folder under uploads/ holding `name`'s copy. */
export function startUpload(root: string, name: string, bytes: Uint8Array): { path: string; bytes: number } {
  checkSizes(root, 0, bytes.byteLength, `a new upload of ${name}`)
  // Only the base name, in characters every file system takes: the name is a hint for the importer
  // (`train-images-idx3-ubyte.gz`, `data_batch_1.bin`), never a path.
  const safe = basename(name.replace(/\\/g, '/'))
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
  const dir = join(root, UPLOADS_FOLDER, randomUUID())
  mkdirSync(dir, { recursive: true })
  const file = join(dir, safe || 'upload')
  writeUpload(
    () => writeFileSync(file, bytes),
    () => rmSync(dir, { recursive: true, force: true }),
  )
  return { path: file, bytes: bytes.byteLength }
}

/** The next chunk of an upload begun by `startUpload`: appended only where the copy ends, `offset`. */
export function appendUploadChunk(
  root: string,
  to: string,
  offset: number,
  bytes: Uint8Array,
): { path: string; bytes: number } {
  const file = insideDataDir(root, to, 'to')
  const stat = statSync(file, { throwIfNoEntry: false })
  if (!isWithin(join(root, UPLOADS_FOLDER), file) || !stat?.isFile()) {
    throw new ApiFailure(
      'NOT_FOUND',
      `${to} is not an upload in progress (append to the path the first chunk returned)`,
      'to',
    )
  }
  const size = stat.size
  if (size !== offset)
    throw new ApiFailure(
      'INVALID_PAYLOAD',
      `offset ${offset} does not match the ${size} bytes uploaded so far to ${to}`,
      'offset',
    )
  checkSizes(root, size, bytes.byteLength, `${to} at offset ${offset}`)
  writeUpload(
    () => appendFileSync(file, bytes),
    () => truncateSync(file, size),
  )
  return { path: file, bytes: size + bytes.byteLength }
}

/** Refuses a chunk of `adding` bytes that would take its upload (now `size`) or the uploads folder past a limit. */
function checkSizes(root: string, size: number, adding: number, what: string): void {
  if (size + adding > MAX_UPLOAD_FILE_BYTES) {
    throw new ApiFailure(
      'INVALID_PAYLOAD',
      `a chunk of ${adding} bytes for ${what} would make it ${size + adding} bytes, more than the ${sizeText(MAX_UPLOAD_FILE_BYTES)} one upload may hold; nothing was written`,
      'bytes',
    )
  }
  const staged = stagedBytes(root)
  if (staged + adding > MAX_UPLOADS_BYTES) {
    throw new ApiFailure(
      'INVALID_PAYLOAD',
      `a chunk of ${adding} bytes for ${what} would bring the uploads waiting to be imported to ${staged + adding} bytes, more than the ` +
        `${sizeText(MAX_UPLOADS_BYTES)} the uploads folder may hold; import them (or wait a day for abandoned ones to expire); nothing was written`,
      'bytes',
    )
  }
}

/** Bytes of every staged upload (uploads/<uuid>/<file>); links and folders inside count as nothing. */
function stagedBytes(root: string): number {
  const base = join(root, UPLOADS_FOLDER)
  let total = 0
  for (const entry of list(base)) {
    const dir = join(base, entry)
    const stat = lstatSync(dir, { throwIfNoEntry: false })
    if (stat?.isFile()) total += stat.size
    if (!stat?.isDirectory()) continue
    for (const name of list(dir)) {
      const file = lstatSync(join(dir, name), { throwIfNoEntry: false })
      if (file?.isFile()) total += file.size
    }
  }
  return total
}

/** A failed write leaves nothing half-written (`undo`); a full disk is named as such. */
export function writeUpload(write: () => void, undo: () => void): void {
  try {
    write()
  } catch (error) {
    try {
      undo()
    } catch {
      // The write's error is the one to report.
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new ApiFailure(
        'STORAGE_FULL',
        `the disk holding the data folder is full; the upload was not stored (${(error as Error).message})`,
      )
    throw error
  }
}

/** Removes the staged uploads among `files` (an import consumes the copies it names, whatever its outcome). */
export function removeStagedUploads(root: string, files: readonly string[]): void {
  const base = join(root, UPLOADS_FOLDER)
  for (const file of files) {
    const rel = relative(base, file)
    if (!rel.startsWith('..') && !isAbsolute(rel) && rel.includes(sep))
      rmSync(join(base, rel.split(sep)[0] as string), { recursive: true, force: true })
  }
}

/**
 * Removes staged uploads untouched for STALE_UPLOAD_MS (the newest modification time of the folder and
 * its files, so an upload still receiving chunks stays). Called at start; never throws: a folder it cannot
 * read or remove is left for the next start. Returns the names removed.
 */
export function cleanStaleUploads(root: string, now: number = Date.now()): string[] {
  const base = join(root, UPLOADS_FOLDER)
  const removed: string[] = []
  for (const entry of list(base)) {
    const path = join(base, entry)
    try {
      const stat = lstatSync(path)
      let touched = stat.mtimeMs
      if (stat.isDirectory()) {
        for (const name of list(path))
          touched = Math.max(touched, lstatSync(join(path, name), { throwIfNoEntry: false })?.mtimeMs ?? 0)
      }
      if (now - touched <= STALE_UPLOAD_MS) continue
      rmSync(path, { recursive: true, force: true })
      removed.push(entry)
    } catch {
      // Removed by an import in between, or not ours to remove: the next start tries again.
    }
  }
  return removed
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
