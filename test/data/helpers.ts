/** Small generated dataset files for the reader and import tests (a few images each; nothing committed). */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/** An IDX file: magic 0x0000 08 <ndims>, big-endian dims, then the bytes. */
export function idxBytes(dims: number[], data: ArrayLike<number>, magic?: number): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length)
  header.writeUInt32BE(magic ?? 0x0800 | dims.length, 0)
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i))
  return Buffer.concat([header, Buffer.from(Uint8Array.from(data))])
}

/** Pixel value of image n at (y, x): distinct per image and position, so order mistakes show. */
export const pixelOf = (n: number, y: number, x: number, c = 0) => (n * 37 + y * 5 + x * 3 + c * 101) % 256

export function imagesData(count: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(count * h * w)
  for (let n = 0; n < count; n++)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(n * h + y) * w + x] = pixelOf(n, y, x)
  return out
}

export const labelsData = (count: number) => Uint8Array.from({ length: count }, (_, n) => (n * 7) % 10)

export interface IdxPair {
  images: string
  labels: string
  count: number
}

/** Writes `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` into `dir`. */
export function writeIdxPair(
  dir: string,
  prefix: string,
  options: { count?: number; h?: number; w?: number; gzip?: boolean; labels?: Uint8Array } = {},
): IdxPair {
  const { count = 5, h = 28, w = 28, gzip = true } = options
  const ext = gzip ? '.gz' : ''
  const pack = (b: Buffer) => (gzip ? gzipSync(b) : b)
  const images = join(dir, `${prefix}-images-idx3-ubyte${ext}`)
  const labels = join(dir, `${prefix}-labels-idx1-ubyte${ext}`)
  writeFileSync(images, pack(idxBytes([count, h, w], imagesData(count, h, w))))
  const l = options.labels ?? labelsData(count)
  writeFileSync(labels, pack(idxBytes([l.length], l)))
  return { images, labels, count }
}

/** CIFAR-10 records: label, then planar R, G, B planes of 32×32 with pixelOf(n, y, x, c). */
export function cifarBytes(count: number, labelOf: (n: number) => number = (n) => n % 10): Buffer {
  const out = Buffer.alloc(count * 3073)
  for (let n = 0; n < count; n++) {
    const at = n * 3073
    out[at] = labelOf(n)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) out[at + 1 + c * 1024 + y * 32 + x] = pixelOf(n, y, x, c)
  }
  return out
}
