/**
 * Checkpoint files: an engine Snapshot as bytes on disk.
 *
 *   "CLABCKPT" | u32 format version | u32 header length | header JSON (utf-8) | pad to 4 | float32 data
 *
 * The header lists every array (name, shape, offset) and the SHA-256 of the data, so a truncated or
 * corrupted file is refused with a named error instead of loading garbage. Files are written to a
 * temporary name, flushed and renamed, so a crash or a full disk never leaves a half-written checkpoint
 * in place of a good one.
 */
import { createHash } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { parseDistillConfig, parseTeacherConfig } from '@shared/config/validate'
import { completeStoredDistillConfig, completeStoredTeacherConfig } from '@shared/config/stored'
import type { Snapshot, SnapshotHeader } from '../engine/snapshot'
import type { NamedArray } from '../engine/weights'

const MAGIC = 'CLABCKPT'
const FORMAT_VERSION = 1

export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`checkpoint ${path}: ${reason}`)
    this.name = 'CheckpointError'
  }
}

interface ArrayEntry {
  name: string
  shape: number[]
  /** Offset in float32 elements from the start of the data section. */
  offset: number
  length: number
}

interface FileHeader {
  snapshot: SnapshotHeader
  arrays: ArrayEntry[]
  dataBytes: number
  sha256: string
}

export function encodeCheckpoint(snapshot: Snapshot): Uint8Array {
  const entries: ArrayEntry[] = []
  let offset = 0
  for (const [name, a] of Object.entries(snapshot.arrays)) {
    entries.push({ name, shape: a.shape, offset, length: a.data.length })
    offset += a.data.length
  }
  const data = new Float32Array(offset)
  for (const e of entries) data.set((snapshot.arrays[e.name] as NamedArray).data, e.offset)
  const dataBytes = new Uint8Array(data.buffer)
  const header: FileHeader = {
    snapshot: snapshot.header,
    arrays: entries,
    dataBytes: dataBytes.length,
    sha256: createHash('sha256').update(dataBytes).digest('hex'),
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8')
  const prefix = 8 + 4 + 4 + headerBytes.length
  const padding = (4 - (prefix % 4)) % 4
  const out = new Uint8Array(prefix + padding + dataBytes.length)
  out.set(Buffer.from(MAGIC, 'ascii'), 0)
  const view = new DataView(out.buffer)
  view.setUint32(8, FORMAT_VERSION, true)
  view.setUint32(12, headerBytes.length, true)
  out.set(headerBytes, 16)
  out.set(dataBytes, prefix + padding)
  return out
}

export function decodeCheckpoint(bytes: Uint8Array, path = '(bytes)'): Snapshot {
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString('ascii') !== MAGIC) {
    throw new CheckpointError(path, 'not a Consistency Lab checkpoint (bad magic bytes)')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint32(8, true)
  if (version !== FORMAT_VERSION)
    throw new CheckpointError(path, `format version ${version} is not supported (expected ${FORMAT_VERSION})`)
  const headerLength = view.getUint32(12, true)
  if (16 + headerLength > bytes.length) throw new CheckpointError(path, 'truncated inside its header')
  let header: FileHeader
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(16, 16 + headerLength)).toString('utf8')) as FileHeader
  } catch {
    throw new CheckpointError(path, 'header is not valid JSON (corrupt file)')
  }
  const prefix = 16 + headerLength
  const start = prefix + ((4 - (prefix % 4)) % 4)
  const available = bytes.length - start
  if (available < header.dataBytes) {
    throw new CheckpointError(
      path,
      `truncated: ${header.dataBytes} data bytes expected, ${Math.max(0, available)} found`,
    )
  }
  const dataBytes = bytes.slice(start, start + header.dataBytes)
  const digest = createHash('sha256').update(dataBytes).digest('hex')
  if (digest !== header.sha256) throw new CheckpointError(path, 'checksum mismatch (corrupt file)')
  const data = new Float32Array(dataBytes.buffer, dataBytes.byteOffset, dataBytes.byteLength / 4)
  const arrays: Record<string, NamedArray> = {}
  for (const e of header.arrays) {
    const size = e.shape.reduce((a, b) => a * b, 1)
    if (size !== e.length || e.offset + e.length > data.length)
      throw new CheckpointError(path, `array ${e.name} is mis-shaped`)
    arrays[e.name] = { shape: e.shape, data: data.slice(e.offset, e.offset + e.length) }
  }
  return { header: validatedHeader(header.snapshot, path), arrays }
}

function validatedHeader(h: SnapshotHeader, path: string): SnapshotHeader {
  try {
    if (h.kind === 'teacher') return { ...h, config: parseTeacherConfig(completeStoredTeacherConfig(h.config)) }
    if (h.kind === 'distill')
      return {
        ...h,
        config: parseDistillConfig(completeStoredDistillConfig(h.config)),
        teacherConfig: parseTeacherConfig(completeStoredTeacherConfig(h.teacherConfig)),
      }
  } catch (error) {
    throw new CheckpointError(path, `stored config is invalid: ${(error as Error).message}`)
  }
  throw new CheckpointError(path, `unknown checkpoint kind ${JSON.stringify((h as { kind?: unknown }).kind)}`)
}

export function readCheckpoint(path: string): Snapshot {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (error) {
    throw new CheckpointError(
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    )
  }
  return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path)
}

/** Writes atomically: temp file, fsync, rename. On failure (e.g. ENOSPC) the old file is untouched. */
export function writeCheckpoint(path: string, snapshot: Snapshot): void {
  writeFileAtomic(path, encodeCheckpoint(snapshot))
}

export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const temp = `${path}.tmp-${process.pid}`
  let fd: number | null = null
  try {
    fd = openSync(temp, 'w')
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes
    let written = 0
    while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written)
    fsyncSync(fd)
    closeSync(fd)
    fd = null
    renameSync(temp, path)
  } catch (error) {
    if (fd !== null) closeSync(fd)
    try {
      rmSync(temp, { force: true })
    } catch {
      // The original error matters more than a temp file we could not remove.
    }
    throw error
  }
}
