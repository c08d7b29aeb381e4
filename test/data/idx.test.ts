/** The IDX reader on generated raw and gzip files: what it returns, and how it names each broken file. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { DatasetFileError } from '../../src-main/data/errors'
import { idxImageShape, idxRole, openIdx, readIdx, readIdxHeader } from '../../src-main/data/idx'
import { tempDir } from '../store/helpers'
import { idxBytes, imagesData, labelsData } from './helpers'

async function problemOf(promise: Promise<unknown>): Promise<DatasetFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DatasetFileError)
  return error as DatasetFileError
}

describe('readIdx', () => {
  it.each([false, true])('reads images and labels (gzip: %s) with their headers', async (gzip) => {
    const dir = tempDir()
    const images = join(dir, 'img')
    const labels = join(dir, 'lab')
    const data = imagesData(4, 6, 5)
    writeFileSync(images, gzip ? gzipSync(idxBytes([4, 6, 5], data)) : idxBytes([4, 6, 5], data))
    writeFileSync(labels, gzip ? gzipSync(idxBytes([4], labelsData(4))) : idxBytes([4], labelsData(4)))

    const read = await readIdx(images)
    expect(read.header).toMatchObject({ gzip, magic: 0x803, dims: [4, 6, 5], headerBytes: 16, dataBytes: 120 })
    expect(Buffer.from(read.data).equals(Buffer.from(data))).toBe(true)
    expect(idxRole(read.header)).toBe('images')
    expect(idxImageShape(read.header)).toEqual({ count: 4, height: 6, width: 5, channels: 1 })

    const header = await readIdxHeader(labels)
    expect(header).toMatchObject({ magic: 0x801, dims: [4], dataBytes: 4 })
    expect(idxRole(header)).toBe('labels')
    expect([...(await readIdx(labels)).data]).toEqual([...labelsData(4)])
  })

  it('streams a large .gz in several chunks that add up to the data', async () => {
    const file = join(tempDir(), 'big.gz')
    const data = imagesData(3000, 28, 28) // 2.35 MB decompressed: more than one 1 MB chunk
    writeFileSync(file, gzipSync(idxBytes([3000, 28, 28], data)))
    const { header, chunks } = await openIdx(file)
    let n = 0
    let bytes = 0
    for await (const chunk of chunks) {
      expect(Buffer.from(chunk).equals(Buffer.from(data.subarray(bytes, bytes + chunk.length)))).toBe(true)
      bytes += chunk.length
      n++
    }
    expect(bytes).toBe(header.dataBytes)
    expect(n).toBeGreaterThan(1)
  })
})

describe('broken IDX files are named with their problem', () => {
  it('wrong magic number', async () => {
    const file = join(tempDir(), 'swapped-images-idx3-ubyte')
    writeFileSync(file, idxBytes([2, 28, 28], imagesData(2, 28, 28), 0x03080000)) // byte-swapped magic
    const error = await problemOf(readIdxHeader(file))
    expect(error.problem).toBe('BAD_MAGIC')
    expect(error.message).toContain(file)
    expect(error.message).toContain('wrong magic number 0x03080000')
  })

  it('a data type other than unsigned bytes', async () => {
    const file = join(tempDir(), 'floats')
    writeFileSync(file, idxBytes([2], [0, 0, 0, 0, 0, 0, 0, 0], 0x00000d01))
    const error = await problemOf(readIdxHeader(file))
    expect(error.problem).toBe('UNSUPPORTED')
    expect(error.message).toMatch(/float32 .*only unsigned bytes/)
  })

  it('a raw file shorter than its header promises: refused before reading the data', async () => {
    const file = join(tempDir(), 'short')
    writeFileSync(file, idxBytes([3, 28, 28], imagesData(3, 28, 28)).subarray(0, 16 + 2 * 784 + 10))
    const error = await problemOf(openIdx(file))
    expect(error.problem).toBe('TRUNCATED')
    expect(error.message).toBe(`${file}: truncated: the header promises 3×28×28 = 2352 data bytes, the file holds 1578`)
  })

  it('a .gz whose content is shorter than its header promises', async () => {
    const file = join(tempDir(), 'short.gz')
    writeFileSync(file, gzipSync(idxBytes([3, 28, 28], imagesData(3, 28, 28)).subarray(0, 16 + 784)))
    const error = await problemOf(readIdx(file))
    expect(error.problem).toBe('TRUNCATED')
    expect(error.message).toContain('the file holds 784')
  })

  it('more data than the header describes', async () => {
    const file = join(tempDir(), 'long.gz')
    writeFileSync(file, gzipSync(Buffer.concat([idxBytes([2], [1, 2]), Buffer.from([3])])))
    const error = await problemOf(readIdx(file))
    expect(error.problem).toBe('TRAILING_DATA')
  })

  it.each([
    ['cut short', (gz: Buffer) => gz.subarray(0, gz.length - 200)],
    [
      'damaged in the middle',
      (gz: Buffer) => Buffer.concat([gz.subarray(0, 40), Buffer.alloc(60, 0xff), gz.subarray(100)]),
    ],
  ])('a corrupt .gz (%s)', async (_, damage) => {
    const file = join(tempDir(), 'bad.gz')
    writeFileSync(file, damage(gzipSync(idxBytes([20, 28, 28], imagesData(20, 28, 28)))))
    const error = await problemOf(readIdx(file))
    expect(error.problem).toBe('CORRUPT_GZIP')
    expect(error.message).toMatch(new RegExp(`^${file}: is a corrupt \\.gz file`))
  })

  it('a missing file', async () => {
    const file = join(tempDir(), 'nope')
    const error = await problemOf(readIdx(file))
    expect(error.problem).toBe('UNREADABLE')
    expect(error.message).toBe(`${file}: cannot be read (ENOENT)`)
  })

  it('dimensions that are neither images nor labels', async () => {
    const file = join(tempDir(), 'two-d')
    writeFileSync(file, idxBytes([2, 3], [1, 2, 3, 4, 5, 6]))
    const header = await readIdxHeader(file)
    expect(() => idxRole(header)).toThrow(/IDX dimensions 2×3 .* are neither images/)
  })
})
