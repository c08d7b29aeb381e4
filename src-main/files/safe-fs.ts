/**
 * File operations on paths that someone else named (an imported folder, an export target): reads that never
 * follow a link and never start on anything but a regular file of bounded size; writes that create a new
 * file only (never over an existing one, never through a link); folders made one level at a time, each
 * existing one checked to be a real folder. Every refusal is an UnsafePathError naming the path. The `…Async`
 * versions do the same through fs/promises, for the server: its event loop never waits on the bytes.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs'
import { lstat, open, stat as statFollowing, unlink, type FileHandle } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'

/** 0 where the platform has no such flag (Windows): the lstat checks still stand. */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0
const NONBLOCK = constants.O_NONBLOCK ?? 0
const CHUNK = 1 << 20

/** Why a bounded read refused a file, for callers that say it in their own words (a teacher file). */
export type ReadRefusal = 'missing' | 'not-a-file' | 'too-large' | 'unreadable'

export class UnsafePathError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly refusal?: ReadRefusal,
  ) {
    super(`${path}: ${reason}`)
    this.name = 'UnsafePathError'
  }
}

/** lstat, or null when nothing is there. */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw new UnsafePathError(path, `cannot be inspected (${code ?? (error as Error).message})`)
  }
}

/** What a non-regular entry is, for messages. */
function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link (links are refused)'
  if (stat.isDirectory()) return 'a folder, not a file'
  if (stat.isFIFO()) return 'a FIFO, not a regular file'
  return 'not a regular file'
}

/** The stats of the regular file at `path` (not a link), at most `maxBytes` long. */
export function regularFileStat(path: string, maxBytes: number): Stats {
  const stat = lstatOrNull(path)
  if (!stat) throw new UnsafePathError(path, 'is missing')
  if (!stat.isFile()) throw new UnsafePathError(path, `is ${kindOf(stat)}`)
  if (stat.size > maxBytes) throw new UnsafePathError(path, `is ${stat.size} bytes, more than the ${maxBytes} allowed`)
  return stat
}

/**
 * Opens a file checked by regularFileStat for reading; the descriptor must be that same file (a link or FIFO
 * swapped in after the check is refused: O_NOFOLLOW, O_NONBLOCK, and the inode compared).
 */
function openChecked(path: string, stat: Stats): number {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW | NONBLOCK)
  } catch (error) {
    throw new UnsafePathError(
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    )
  }
  const opened = fstatSync(fd)
  if (!opened.isFile() || opened.ino !== stat.ino || opened.dev !== stat.dev) {
    closeSync(fd)
    throw new UnsafePathError(path, 'changed while it was read')
  }
  return fd
}

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW

/** Why creating `path` failed: something already there (EEXIST, or a link: ELOOP) is refused by name. */
function createNewFailure(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EEXIST' || code === 'ELOOP')
    return new UnsafePathError(path, 'already exists; nothing is ever written over an existing file, choose a new name')
  return error
}

/** Creates `path` as a new file: EEXIST (a file, a folder or a link already there) is refused by name. */
function createNew(path: string): number {
  try {
    return openSync(path, CREATE_NEW, 0o644)
  } catch (error) {
    throw createNewFailure(path, error)
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
}

/** Writes `bytes` to a new file at `path` (exclusive create, never through a link). */
export function writeNewFile(path: string, bytes: Uint8Array | string): void {
  const fd = createNew(path)
  try {
    writeAll(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes)
  } finally {
    closeSync(fd)
  }
}

/** Copies the regular file `from` (not a link, at most `maxBytes`) to a new file `to`; returns the bytes copied. */
export function copyToNewFile(from: string, to: string, maxBytes: number): number {
  const stat = regularFileStat(from, maxBytes)
  const source = openChecked(from, stat)
  try {
    const target = createNew(to)
    try {
      const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(1, stat.size)))
      let total = 0
      for (;;) {
        const n = readSync(source, buffer, 0, buffer.length, null)
        if (n === 0) break
        total += n
        if (total > maxBytes)
          throw new UnsafePathError(from, `grew past the ${maxBytes} bytes allowed while it was copied`)
        writeAll(target, buffer.subarray(0, n))
      }
      return total
    } finally {
      closeSync(target)
    }
  } finally {
    closeSync(source)
  }
}

/**
 * Makes the folders from `base` (which must exist) down to `dir`, one level at a time; every level already
 * there must be a real folder, not a link. Returns the folders it created, outermost first.
 */
export function makeFoldersNoLinks(base: string, dir: string): string[] {
  const rel = relative(base, dir)
  if (rel === '') return []
  if (rel === '..' || rel.startsWith(`..${sep}`)) throw new UnsafePathError(dir, `is not below ${base}`)
  const created: string[] = []
  let at = base
  for (const part of rel.split(sep)) {
    at = join(at, part)
    const stat = lstatOrNull(at)
    if (stat === null) {
      try {
        mkdirSync(at)
        created.push(at)
        continue
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
    }
    const now = stat ?? lstatOrNull(at)
    if (!now || now.isSymbolicLink() || !now.isDirectory())
      throw new UnsafePathError(at, `is ${now ? kindOf(now) : 'gone'}; only real folders are walked`)
  }
  return created
}

/**
 * Throws unless each of the last `depth` entries of `path` that exists is a real folder, not a link (the last
 * one may also be a regular file: exclusive creation refuses that one by name).
 */
export function assertNoLinksOnTheWay(path: string, depth: number): void {
  const chain: string[] = []
  for (let at = path, i = 0; i < depth && dirname(at) !== at; i++, at = dirname(at)) chain.unshift(at)
  for (const at of chain) {
    const stat = lstatOrNull(at)
    if (stat === null) return
    if (at === path && stat.isFile()) return
    if (stat.isSymbolicLink() || !stat.isDirectory()) throw new UnsafePathError(at, `is ${kindOf(stat)}`)
  }
}

/** Imports copy into `<store folder>/.import-<uuid>` first (never an id: ids start with a letter or digit). */
export const IMPORT_TEMP_PREFIX = '.import-'
/** A temporary import folder this old was left by an import that was killed; a live one is seconds old. */
export const STALE_IMPORT_MS = 24 * 3600 * 1000

/**
 * Removes the folders in `parent` named `<prefix>…` last changed more than `maxAgeMs` ago: temporary folders
 * of imports that were killed part way (a live import's folder is seconds old).
 */
export function removeStaleFolders(parent: string, prefix: string, maxAgeMs: number, now = Date.now()): void {
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue
    const dir = join(parent, entry)
    const stat = lstatOrNull(dir)
    if (stat?.isDirectory() && now - stat.mtimeMs > maxAgeMs) rmSync(dir, { recursive: true, force: true })
  }
}

// --- the same, asynchronously ------------------------------------------------------------------------------

function inspectFailure(path: string, error: unknown): UnsafePathError {
  return new UnsafePathError(
    path,
    `cannot be inspected (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
  )
}

/** lstat, or null when nothing is there. */
export async function lstatOrNullAsync(path: string): Promise<Stats | null> {
  try {
    return await lstat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw inspectFailure(path, error)
  }
}

/** How a bounded read treats a link: refused (the default), or followed to the file it names. */
export interface ReadOptions {
  /** A file the user named (a teacher checkpoint) may be reached through a link; history files may not. */
  followLinks?: boolean
}

/** As regularFileStat: the regular file at `path` (not a link unless followLinks), at most `maxBytes` long. */
export async function regularFileStatAsync(path: string, maxBytes: number, options: ReadOptions = {}): Promise<Stats> {
  const stat = options.followLinks ? await statOrNullAsync(path) : await lstatOrNullAsync(path)
  if (!stat) throw new UnsafePathError(path, 'is missing', 'missing')
  if (!stat.isFile()) throw new UnsafePathError(path, `is ${kindOf(stat)}`, 'not-a-file')
  if (stat.size > maxBytes)
    throw new UnsafePathError(path, `is ${stat.size} bytes, more than the ${maxBytes} allowed`, 'too-large')
  return stat
}

async function statOrNullAsync(path: string): Promise<Stats | null> {
  try {
    return await statFollowing(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw inspectFailure(path, error)
  }
}

/** As openChecked: the opened file must be the one (l)stat saw (no link, no FIFO swapped in since). */
async function openCheckedAsync(path: string, stat: Stats, options: ReadOptions = {}): Promise<FileHandle> {
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | (options.followLinks ? 0 : NOFOLLOW) | NONBLOCK)
  } catch (error) {
    throw new UnsafePathError(
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'unreadable',
    )
  }
  const opened = await handle.stat()
  if (!opened.isFile() || opened.ino !== stat.ino || opened.dev !== stat.dev) {
    await handle.close()
    throw new UnsafePathError(path, 'changed while it was read', 'unreadable')
  }
  return handle
}

/**
 * The regular file at `path` (never through a link, at most `maxBytes`) in chunks of at most `chunkBytes`,
 * each read awaited: a caller working through a large file one chunk at a time leaves the event loop free
 * between chunks. A file that grows past `maxBytes` while it is read is refused.
 */
export async function* regularFileChunks(path: string, maxBytes: number, chunkBytes = CHUNK): AsyncGenerator<Buffer> {
  const stat = await regularFileStatAsync(path, maxBytes)
  const handle = await openCheckedAsync(path, stat)
  try {
    let total = 0
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes)
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null)
      if (bytesRead === 0) return
      total += bytesRead
      if (total > maxBytes) throw new UnsafePathError(path, `grew past the ${maxBytes} bytes allowed while it was read`)
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}

/**
 * The bytes of the regular file at `path` (not through a link unless followLinks), at most `maxBytes`: the
 * one bounded asynchronous read. Asynchronous, so the server's event loop never waits on the disk; only a
 * regular file (a FIFO would block forever, /dev/zero never end), checked again on the opened descriptor;
 * the size cap checked before a byte is read.
 */
export async function readRegularFileAsync(path: string, maxBytes: number, options: ReadOptions = {}): Promise<Buffer> {
  const stat = await regularFileStatAsync(path, maxBytes, options)
  const handle = await openCheckedAsync(path, stat, options)
  try {
    const size = (await handle.stat()).size
    if (size > maxBytes)
      throw new UnsafePathError(path, `is ${size} bytes, more than the ${maxBytes} allowed`, 'too-large')
    const bytes = Buffer.alloc(size)
    let read = 0
    while (read < size) {
      // In chunks: one read of hundreds of MB holds a thread-pool thread (and the caller) as long.
      const { bytesRead } = await handle.read(bytes, read, Math.min(CHUNK * 16, size - read), read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    return read === size ? bytes : bytes.subarray(0, read)
  } finally {
    await handle.close()
  }
}

/** As createNew: `path` as a new file; EEXIST (a file, a folder or a link already there) is refused by name. */
async function createNewAsync(path: string): Promise<FileHandle> {
  try {
    return await open(path, CREATE_NEW, 0o644)
  } catch (error) {
    throw createNewFailure(path, error)
  }
}

async function writeAllAsync(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, Math.min(CHUNK * 16, bytes.length - written))
    written += bytesWritten
  }
}

/** As writeNewFile: `bytes` to a new file at `path` (exclusive create, never through a link). */
export async function writeNewFileAsync(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await createNewAsync(path)
  try {
    await writeAllAsync(handle, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes)
  } catch (error) {
    await removeCreated(handle, path)
    throw error
  }
  await handle.close()
}

/** Closes and removes a file this process created exclusively and could not finish (a disk full part way). */
async function removeCreated(handle: FileHandle, path: string): Promise<void> {
  await handle.close().catch(() => {})
  await unlink(path).catch(() => {})
}

/**
 * As copyToNewFile: the regular file `from` (not a link, at most `maxBytes`) to a new file `to`; returns the
 * bytes copied. A copy that fails part way removes its target (created here, so nobody else's file).
 */
export async function copyToNewFileAsync(from: string, to: string, maxBytes: number): Promise<number> {
  const chunks = regularFileChunks(from, maxBytes)
  try {
    // The source is checked (and opened) before the target is created, so a refused source creates nothing.
    const first = await chunks.next()
    const target = await createNewAsync(to)
    let total = 0
    try {
      if (!first.done) {
        total += first.value.length
        await writeAllAsync(target, first.value)
        for await (const chunk of chunks) {
          await writeAllAsync(target, chunk)
          total += chunk.length
        }
      }
    } catch (error) {
      await removeCreated(target, to)
      throw error
    }
    await target.close()
    return total
  } finally {
    // Closes the source when the copy stopped part way (a no-op once the chunks ran out).
    await chunks.return(undefined)
  }
}
