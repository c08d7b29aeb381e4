/** CIFAR-10 batches: planar records become NHWC pixels; bad sizes, labels and compressed files are named. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { inspectCifar, readCifarBatch } from '../../src-main/data/cifar'
import { DatasetFileError } from '../../src-main/data/errors'
import { tempDir } from '../store/helpers'
import { cifarBytes, pixelOf } from './helpers'

async function collect(file: string) {
  const pixels: Uint8Array[] = []
  const labels: number[] = []
  for await (const chunk of readCifarBatch(file)) {
    pixels.push(chunk.pixels)
    labels.push(...chunk.labels)
  }
  return { pixels: Buffer.concat(pixels), labels }
}

describe('readCifarBatch', () => {
  it('turns channel-planar records into interleaved RGB (NHWC) with their labels, across chunk edges', async () => {
    const file = join(tempDir(), 'data_batch_1.bin')
    const count = 300 // more than one 256-record chunk
    writeFileSync(file, cifarBytes(count))
    expect(inspectCifar(file)).toMatchObject({ count, bytes: count * 3073 })
    const { pixels, labels } = await collect(file)
    expect(labels).toEqual(Array.from({ length: count }, (_, n) => n % 10))
    expect(pixels.length).toBe(count * 3072)
    for (const [n, y, x] of [
      [0, 0, 0],
      [0, 31, 31],
      [7, 3, 20],
      [257, 16, 5],
      [299, 31, 0],
    ] as const) {
      for (let c = 0; c < 3; c++)
        expect(pixels[((n * 32 + y) * 32 + x) * 3 + c], `image ${n} (${y}, ${x}) channel ${c}`).toBe(
          pixelOf(n, y, x, c),
        )
    }
  })

  it('refuses a file whose size is not a multiple of 3073 bytes', () => {
    const file = join(tempDir(), 'data_batch_2.bin')
    writeFileSync(file, cifarBytes(2).subarray(0, 3073 + 100))
    expect(() => inspectCifar(file)).toThrow(DatasetFileError)
    expect(() => inspectCifar(file)).toThrow(
      `${file}: 3173 bytes is not a whole number of CIFAR-10 records (3073 bytes each: 1 label + 32×32×3 pixels; 1 records and 100 bytes over)`,
    )
  })

  it('names the record whose label is outside 0..9', async () => {
    const file = join(tempDir(), 'test_batch.bin')
    writeFileSync(
      file,
      cifarBytes(4, (n) => (n === 2 ? 12 : 1)),
    )
    await expect(collect(file)).rejects.toThrow(`${file}: record 2 has label 12; CIFAR-10 labels are 0..9`)
  })

  it('refuses a gzip-compressed batch, saying to extract it', () => {
    const file = join(tempDir(), 'data_batch_1.bin.gz')
    writeFileSync(file, gzipSync(cifarBytes(1)))
    expect(() => inspectCifar(file)).toThrow(/is gzip-compressed .*extract cifar-10-binary.tar.gz first/)
  })
})
