/**
 * CIFAR-10 binary batches (`data_batch_1.bin` … `test_batch.bin` from cifar-10-binary.tar.gz).
 *
 * A batch has no header: it is a run of 3073-byte records, one label byte (0..9) then 3072 pixel bytes,
 * channel-planar (1024 red, 1024 green, 1024 blue; each 32 rows of 32, row-major). The reader streams whole
 * records and hands them on as NHWC (interleaved RGB), the layout every stored dataset uses. Without a
 * magic number the format is recognised by its size alone, so only uncompressed batches are read.
 */
import { NUM_IMAGE_CLASSES } from '@shared/data/images'
import { DatasetFileError } from './errors'
import { datasetFileStream, isGzipFile } from './idx'

export const CIFAR_SIDE = 32
export const CIFAR_CHANNELS = 3
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS
export const CIFAR_RECORD_BYTES = 1 + CIFAR_PIXELS
/** Records per chunk handed on: 256 records ≈ 786 kB of pixels. */
const RECORDS_PER_CHUNK = 256

export interface CifarInfo {
  file: string
  bytes: number
  count: number
}

/** Checks that `file` can be a CIFAR-10 batch (uncompressed, a whole number of records) and counts them. */
export function inspectCifar(file: string): CifarInfo {
  const { gzip, bytes } = isGzipFile(file)
  if (gzip) {
    throw new DatasetFileError(
      file,
      'UNSUPPORTED',
      'is gzip-compressed and not an IDX file; CIFAR-10 batches are read uncompressed (extract cifar-10-binary.tar.gz first)',
    )
  }
  if (bytes === 0 || bytes % CIFAR_RECORD_BYTES !== 0) {
    throw new DatasetFileError(
      file,
      'BAD_SIZE',
      `${bytes} bytes is not a whole number of CIFAR-10 records (${CIFAR_RECORD_BYTES} bytes each: 1 label + 32×32×3 pixels; ` +
        `${Math.floor(bytes / CIFAR_RECORD_BYTES)} records and ${bytes % CIFAR_RECORD_BYTES} bytes over)`,
    )
  }
  return { file, bytes, count: bytes / CIFAR_RECORD_BYTES }
}

export interface CifarChunk {
  /** Index of the chunk's first record in the file. */
  first: number
  /** NHWC uint8 pixels of the chunk's records. */
  pixels: Uint8Array
  labels: Uint8Array
}

/** Planar CHW record pixels (after the label byte) -> interleaved HWC, written at `out[at…]`. */
export function planarToInterleaved(record: Uint8Array, from: number, out: Uint8Array, at: number): void {
  const plane = CIFAR_SIDE * CIFAR_SIDE
  for (let p = 0; p < plane; p++) {
    const o = at + p * 3
    out[o] = record[from + p] as number
    out[o + 1] = record[from + plane + p] as number
    out[o + 2] = record[from + 2 * plane + p] as number
  }
}

/** The batch's records in order, a chunk at a time; a label outside 0..9 stops with BAD_LABEL naming the record. */
export async function* readCifarBatch(
  file: string,
  info: CifarInfo = inspectCifar(file),
): AsyncGenerator<CifarChunk, void, undefined> {
  const stream = datasetFileStream(file, CIFAR_RECORD_BYTES * RECORDS_PER_CHUNK)
  let carry = Buffer.alloc(0)
  let record = 0
  try {
    for await (const piece of stream) {
      const data = carry.length === 0 ? (piece as Buffer) : Buffer.concat([carry, piece as Buffer])
      const whole = Math.floor(data.length / CIFAR_RECORD_BYTES)
      if (whole > 0) {
        const pixels = new Uint8Array(whole * CIFAR_PIXELS)
        const labels = new Uint8Array(whole)
        for (let r = 0; r < whole; r++) {
          const at = r * CIFAR_RECORD_BYTES
          const label = data[at] as number
          if (label >= NUM_IMAGE_CLASSES) {
            throw new DatasetFileError(
              file,
              'BAD_LABEL',
              `record ${record + r} has label ${label}; CIFAR-10 labels are 0..${NUM_IMAGE_CLASSES - 1}`,
            )
          }
          labels[r] = label
          planarToInterleaved(data, at + 1, pixels, r * CIFAR_PIXELS)
        }
        yield { first: record, pixels, labels }
        record += whole
      }
      carry = Buffer.from(data.subarray(whole * CIFAR_RECORD_BYTES))
    }
  } catch (error) {
    if (error instanceof DatasetFileError) throw error
    throw new DatasetFileError(
      file,
      'UNREADABLE',
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    )
  } finally {
    stream.destroy()
  }
  // The size was checked when the batch was inspected; a file that changed since then says so here.
  if (carry.length > 0 || record !== info.count) {
    throw new DatasetFileError(
      file,
      'TRUNCATED',
      `changed while being read: expected ${info.count} records, read ${record} and ${carry.length} stray bytes`,
    )
  }
}
