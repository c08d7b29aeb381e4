/**
 * 2D sample points as stored in the run history: live previews as little-endian float32 (x, y) blobs in
 * the database, final samples as `x,y` CSV files in the run folder. One reader for both.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SampleRecord } from '@shared/store/types'
import { readPointsCsv } from './scatter-png'

export function pointsToBlob(points: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(points.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < points.length; i++) view.setFloat32(4 * i, points[i] as number, true)
  return bytes
}

export function pointsFromBlob(blob: Uint8Array): Float32Array {
  if (blob.byteLength % 4 !== 0)
    throw new Error(`a points blob must hold float32 values; ${blob.byteLength} bytes is not a multiple of 4`)
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  const out = new Float32Array(blob.byteLength / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true)
  return out
}

/** The points of a stored sample: its blob, or its CSV file under `runDir`. */
export function readSamplePoints(
  sample: SampleRecord,
  runDir: string,
  readBlob: (id: number) => Uint8Array | undefined,
): Float32Array {
  if (sample.hasBlob) {
    const blob = readBlob(sample.id)
    if (!blob) throw new Error(`sample ${sample.id} has no stored points`)
    return pointsFromBlob(blob)
  }
  if (!sample.path) throw new Error(`sample ${sample.id} has neither stored points nor a file`)
  const file = join(runDir, sample.path)
  if (!existsSync(file)) throw new Error(`sample ${sample.id}: its file ${file} is missing`)
  if (!sample.path.endsWith('.csv')) throw new Error(`sample ${sample.id} is a ${sample.kind} file, not 2D points`)
  return readPointsCsv(readFileSync(file, 'utf8'))
}
