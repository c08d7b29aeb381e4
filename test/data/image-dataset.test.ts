/** The stored form: written by StoredDatasetWriter, read back as scaled batches by ImageDatasetReader. */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DatasetFileError } from '../../src-main/data/errors'
import { IMAGES_FILE, ImageDatasetReader, META_FILE, StoredDatasetWriter } from '../../src-main/data/image-dataset'
import { tempDir } from '../store/helpers'

const shape = { count: 6, height: 2, width: 3, channels: 1 }
const pixels = Uint8Array.from({ length: 36 }, (_, i) => (i * 7) % 256)
const labels = Uint8Array.from([3, 1, 4, 1, 5, 9])

async function stored(dir = tempDir(), chunks = 1) {
  const writer = await StoredDatasetWriter.create(dir, shape)
  const step = Math.ceil(pixels.length / chunks)
  for (let at = 0; at < pixels.length; at += step) await writer.writePixels(pixels.subarray(at, at + step))
  await writer.writeLabels(labels)
  const meta = await writer.finish({
    name: 'tiny',
    kind: 'idx',
    sourceFiles: [],
    classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
  })
  return { dir, meta }
}

describe('StoredDatasetWriter', () => {
  it('writes NHWC pixels, labels and dataset.json with class counts and a content hash', async () => {
    const { dir, meta } = await stored()
    expect([...readFileSync(join(dir, IMAGES_FILE))]).toEqual([...pixels])
    expect(JSON.parse(readFileSync(join(dir, META_FILE), 'utf8'))).toEqual(meta)
    expect(meta).toMatchObject({
      count: 6,
      height: 2,
      width: 3,
      channels: 1,
      classCounts: [0, 2, 0, 1, 1, 1, 0, 0, 0, 1],
    })
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('gives the same hash however the pixels were chunked, and another for other labels', async () => {
    const a = await stored(tempDir(), 1)
    const b = await stored(tempDir(), 5)
    expect(b.meta.sha256).toBe(a.meta.sha256)
    const writer = await StoredDatasetWriter.create(tempDir(), shape)
    await writer.writePixels(pixels)
    await writer.writeLabels(Uint8Array.from([3, 1, 4, 1, 5, 8]))
    const c = await writer.finish({ name: 'x', kind: 'idx', sourceFiles: [], classes: [] })
    expect(c.sha256).not.toBe(a.meta.sha256)
  })

  it('refuses to finish an incomplete dataset', async () => {
    const writer = await StoredDatasetWriter.create(tempDir(), shape)
    await writer.writePixels(pixels.subarray(0, 10))
    await expect(writer.finish({ name: 'x', kind: 'idx', sourceFiles: [], classes: [] })).rejects.toThrow(
      /incomplete dataset: 10\/36 pixel bytes, 0\/6 labels/,
    )
    await writer.abort()
  })
})

describe('ImageDatasetReader', () => {
  it('returns batches in the order asked, scaled to [-1, 1], with their labels', async () => {
    const { dir } = await stored()
    const reader = ImageDatasetReader.open(dir)
    try {
      expect(reader).toMatchObject({ count: 6, height: 2, width: 3, channels: 1, imageBytes: 6 })
      const batch = reader.batch([4, 5, 0, 2])
      expect(batch.shape).toEqual([4, 2, 3, 1])
      expect([...batch.labels]).toEqual([5, 9, 3, 4])
      const expected = [4, 5, 0, 2].flatMap((n) => [...pixels.subarray(n * 6, n * 6 + 6)].map((p) => p / 127.5 - 1))
      expect([...batch.images].map((v) => +v.toFixed(5))).toEqual(expected.map((v) => +Math.fround(v).toFixed(5)))
      expect([...reader.range(1, 2).labels]).toEqual([1, 4])
      expect(() => reader.batch([6])).toThrow(RangeError)
      expect(() => reader.range(5, 2)).toThrow(/outside 0…5/)
    } finally {
      reader.close()
    }
  })

  it('names a pixel file whose size does not match dataset.json', async () => {
    const { dir } = await stored()
    truncateSync(join(dir, IMAGES_FILE), 30)
    expect(() => ImageDatasetReader.open(dir)).toThrow(
      `${join(dir, IMAGES_FILE)}: holds 30 bytes, dataset.json's 6×2×3×1 needs 36`,
    )
  })

  it('names the field of a damaged dataset.json', async () => {
    const { dir, meta } = await stored()
    writeFileSync(join(dir, META_FILE), JSON.stringify({ ...meta, height: -2 }))
    let error: unknown
    try {
      ImageDatasetReader.open(dir)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DatasetFileError)
    expect((error as Error).message).toMatch(/dataset\.json: field height: /)
  })
})
