/**
 * IDX files (MNIST, Fashion-MNIST, EMNIST, …), raw or gzip-compressed.
 *
 * Layout (big-endian): two zero bytes, a type byte (0x08 = unsigned byte, the only type these datasets use),
 * the number of dimensions, then one uint32 per dimension, then the data. Images are 0x00000803
 * (count, rows, columns), labels 0x00000801 (count).
 *
 * Files are streamed: a .gz goes through one zlib stream and each decompressed chunk is handed on once, so
 * the 26 MB Fashion-MNIST training file never sits in memory compressed and decompressed at once.
 * Compression is recognised by the gzip magic bytes, not by the file name.
 *
 * A .gz header is checked against the archive before any data is handed on: deflate expands at most
 * GZIP_MAX_RATIO to 1, so a header promising more than that from the file's size is a lie (a gzip bomb).
 * The data stream stops, and the zlib stream is destroyed, as soon as it passes what the header promised,
 * so nothing downstream ever sees (or writes) more than the declared bytes.
 *
 * Every file to import is opened by openDatasetFile: a regular file, never through a symbolic link (a link
 * in an imported folder or the uploads folder could otherwise read any file the process can).
 */
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, type ReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { DatasetFileError, shapeText } from './errors'

export const IDX_UBYTE = 0x08
const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
}

const GZIP_MAGIC = [0x1f, 0x8b]
const CHUNK_BYTES = 1 << 20
/** Deflate's best case is a 258-byte match per 2 bits: a .gz of N bytes decompresses to under 1032 × N. */
export const GZIP_MAX_RATIO = 1032

export interface IdxHeader {
  file: string
  gzip: boolean
  /** Size on disk (compressed for .gz). */
  fileBytes: number
  /** The whole magic number, e.g. 0x00000803. */
  magic: number
  dims: number[]
  headerBytes: number
  /** Bytes of data the header promises: the product of the dimensions. */
  dataBytes: number
}

/** An IDX file opened at its data: `header` is parsed and checked; `chunks` yields the data bytes once. */
export interface IdxStream {
  header: IdxHeader
  /** The data after the header, in order. Throws TRUNCATED / TRAILING_DATA / CORRUPT_GZIP at the end. */
  chunks: AsyncGenerator<Buffer, void, undefined>
  /** Stops reading (when only the header was wanted). */
  close(): Promise<void>
}

/**
 * Opens a file to import for reading, never through a link (O_NOFOLLOW; 0 on Windows, where the import's
 * lstat check still stands) and never blocking on a FIFO (O_NONBLOCK): only a regular file is read.
 * Throws UNREADABLE naming the file.
 */
export function openDatasetFile(file: string): number {
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ELOOP')
      throw new DatasetFileError(file, 'UNREADABLE', 'is a symbolic link (links are refused)', { cause: error })
    throw new DatasetFileError(file, 'UNREADABLE', `cannot be read (${code ?? (error as Error).message})`, {
      cause: error,
    })
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd)
    throw new DatasetFileError(file, 'UNREADABLE', 'is not a regular file')
  }
  return fd
}

/** A stream of the bytes of `file`, opened by openDatasetFile (the stream closes it). */
export function datasetFileStream(file: string, highWaterMark: number): ReadStream {
  return createReadStream(file, { fd: openDatasetFile(file), highWaterMark })
}

/** Whether `file` starts with the gzip magic bytes. Throws UNREADABLE when it cannot be opened. */
export function isGzipFile(file: string): { gzip: boolean; bytes: number; head: Buffer } {
  const fd = openDatasetFile(file)
  try {
    const bytes = fstatSync(fd).size
    const head = Buffer.alloc(Math.min(64, bytes))
    readSync(fd, head, 0, head.length, 0)
    return { gzip: head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1], bytes, head }
  } finally {
    closeSync(fd)
  }
}

/** Decompressed bytes of `file` (or the raw bytes), with zlib's errors named as a corrupt .gz. */
async function* fileBytes(file: string, gzip: boolean): AsyncGenerator<Buffer, void, undefined> {
  const raw = datasetFileStream(file, CHUNK_BYTES)
  const source = gzip ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw
  if (gzip) raw.on('error', (error) => source.destroy(error))
  try {
    for await (const chunk of source) yield chunk as Buffer
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (gzip && typeof code === 'string' && code.startsWith('Z_')) {
      const what = code === 'Z_BUF_ERROR' ? 'the compressed data ends early' : (error as Error).message
      throw new DatasetFileError(file, 'CORRUPT_GZIP', `is a corrupt .gz file (${what})`, { cause: error })
    }
    throw new DatasetFileError(file, 'UNREADABLE', `cannot be read (${code ?? (error as Error).message})`, {
      cause: error,
    })
  } finally {
    raw.destroy()
    source.destroy()
  }
}

function hex(magic: number): string {
  return `0x${magic.toString(16).padStart(8, '0')}`
}

/** Parses and checks the header; `bytes` must hold at least 4 bytes (and all of the header when it says so). */
function parseHeader(file: string, gzip: boolean, fileBytes: number, bytes: Buffer): IdxHeader | { need: number } {
  const magic = bytes.readUInt32BE(0)
  const type = bytes[2] as number
  const ndims = bytes[3] as number
  if (bytes[0] !== 0 || bytes[1] !== 0 || ndims < 1 || ndims > 4 || IDX_TYPE_NAMES[type] === undefined) {
    throw new DatasetFileError(
      file,
      'BAD_MAGIC',
      `wrong magic number ${hex(magic)}: not an IDX file (images start with 0x00000803, labels with 0x00000801)`,
    )
  }
  if (type !== IDX_UBYTE) {
    throw new DatasetFileError(
      file,
      'UNSUPPORTED',
      `IDX data type ${IDX_TYPE_NAMES[type]} (magic ${hex(magic)}): only unsigned bytes (0x08) are read`,
    )
  }
  const headerBytes = 4 + 4 * ndims
  if (bytes.length < headerBytes) return { need: headerBytes }
  const dims: number[] = []
  for (let i = 0; i < ndims; i++) dims.push(bytes.readUInt32BE(4 + 4 * i))
  if (dims.some((d) => d === 0))
    throw new DatasetFileError(
      file,
      'BAD_DIMENSIONS',
      `the header's dimensions ${shapeText(dims)} include a 0: the file holds nothing`,
    )
  const dataBytes = dims.reduce((a, b) => a * b, 1)
  return { file, gzip, fileBytes, magic, dims, headerBytes, dataBytes }
}

function truncated(header: IdxHeader, got: number): DatasetFileError {
  return new DatasetFileError(
    header.file,
    'TRUNCATED',
    `truncated: the header promises ${shapeText(header.dims)} = ${header.dataBytes} data bytes, the file holds ${got}`,
  )
}

/** Opens an IDX file and reads its header; the data follows through `chunks`. */
export async function openIdx(file: string): Promise<IdxStream> {
  const { gzip, bytes: onDisk, head } = isGzipFile(file)
  if (!gzip && onDisk < 4)
    throw new DatasetFileError(file, 'TRUNCATED', `truncated: ${onDisk} bytes, shorter than an IDX header`)
  if (!gzip) {
    // A raw file's size is known up front: report a short file before streaming any of it.
    const parsed = parseHeader(file, gzip, onDisk, head)
    if ('need' in parsed)
      throw new DatasetFileError(
        file,
        'TRUNCATED',
        `truncated: ${onDisk} bytes, shorter than its ${parsed.need}-byte IDX header`,
      )
    if (onDisk < parsed.headerBytes + parsed.dataBytes) throw truncated(parsed, onDisk - parsed.headerBytes)
  }

  const source = fileBytes(file, gzip)
  let pending: Buffer = Buffer.alloc(0)
  let header: IdxHeader | undefined
  try {
    while (header === undefined) {
      const next = await source.next()
      if (next.done)
        throw new DatasetFileError(
          file,
          'TRUNCATED',
          `truncated: ${pending.length} bytes after decompression, shorter than an IDX header`,
        )
      pending = pending.length === 0 ? next.value : Buffer.concat([pending, next.value])
      if (pending.length < 4) continue
      const parsed = parseHeader(file, gzip, onDisk, pending)
      if (!('need' in parsed)) header = parsed
    }
  } catch (error) {
    await source.return()
    throw error
  }
  const found = header
  // Only the first chunk has been decompressed so far: a bomb is refused before its data is read.
  if (gzip && found.headerBytes + found.dataBytes > GZIP_MAX_RATIO * onDisk) {
    await source.return()
    throw new DatasetFileError(
      file,
      'BAD_SIZE',
      `the header declares ${shapeText(found.dims)} = ${found.dataBytes} data bytes, but a ${onDisk}-byte .gz file decompresses to at most ` +
        `${GZIP_MAX_RATIO * onDisk} bytes (gzip expands at most ${GZIP_MAX_RATIO}:1): the header does not describe this file`,
    )
  }
  const rest = pending.subarray(found.headerBytes)

  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    let got = 0
    try {
      let chunk: Buffer | undefined = rest
      for (;;) {
        if (chunk !== undefined && chunk.length > 0) {
          if (got + chunk.length > found.dataBytes) {
            throw new DatasetFileError(
              file,
              'TRAILING_DATA',
              `${shapeText(found.dims)} promises ${found.dataBytes} data bytes but more follow: the header does not describe this file`,
            )
          }
          got += chunk.length
          yield chunk
        }
        const next = await source.next()
        if (next.done) break
        chunk = next.value
      }
    } finally {
      await source.return()
    }
    if (got < found.dataBytes) throw truncated(found, got)
  }

  const generator = chunks()
  return {
    header: found,
    chunks: generator,
    close: async () => {
      await generator.return()
      await source.return()
    },
  }
}

/** Reads the header only. */
export async function readIdxHeader(file: string): Promise<IdxHeader> {
  const stream = await openIdx(file)
  await stream.close()
  return stream.header
}

/** A whole IDX file's data in one buffer of exactly `dataBytes` (tests, small files). */
export async function readIdx(file: string): Promise<{ header: IdxHeader; data: Uint8Array }> {
  const { header, chunks } = await openIdx(file)
  const data = new Uint8Array(header.dataBytes)
  let at = 0
  for await (const chunk of chunks) {
    data.set(chunk, at)
    at += chunk.length
  }
  return { header, data }
}

export interface IdxImageShape {
  count: number
  height: number
  width: number
  channels: number
}

/** What an IDX header holds: images (3 dims, or 4 with 1 or 3 channels last) or labels (1 dim). */
export function idxRole(header: IdxHeader): 'images' | 'labels' {
  const n = header.dims.length
  if (n === 1) return 'labels'
  if (n === 3 || (n === 4 && (header.dims[3] === 1 || header.dims[3] === 3))) return 'images'
  throw new DatasetFileError(
    header.file,
    'BAD_DIMENSIONS',
    `IDX dimensions ${shapeText(header.dims)} (magic ${hex(header.magic)}) are neither images (count×height×width, 0x00000803) nor labels (count, 0x00000801)`,
  )
}

export function idxImageShape(header: IdxHeader): IdxImageShape {
  if (idxRole(header) !== 'images')
    throw new DatasetFileError(header.file, 'BAD_DIMENSIONS', `holds labels (${header.dims[0]}), not images`)
  const [count, height, width, channels = 1] = header.dims as [number, number, number, number?]
  return { count, height, width, channels }
}
