/**
 * DatasetService.import on real files and a real history: pairing, kinds, "stored once", and for every
 * kind of bad input a DatasetFileError naming the file, with no row and no folder left behind. One test
 * imports Debian's Fashion-MNIST t10k files and checks them against their raw bytes.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { DatasetFileError, type DatasetFileProblem } from '../../src-main/data/errors'
import { DatasetOptionError, DatasetService, pairKey } from '../../src-main/services/dataset-service'
import type { LabStore } from '../../src-main/store'
import { tempDir, tempStore } from '../store/helpers'
import { cifarBytes, idxBytes, imagesData, pixelOf, writeIdxPair } from './helpers'

const FASHION = '/usr/share/datasets/fashion-mnist'

function setup() {
  const store = tempStore()
  return { store, service: new DatasetService(store), files: tempDir('clab-data-files-') }
}

/** Nothing of a failed import remains: no rows, nothing (not even a temp folder) under datasets/. */
function expectNothingImported(store: LabStore) {
  expect(store.datasets.listDatasets()).toEqual([])
  const root = join(store.paths.root, 'datasets')
  expect(existsSync(root) ? readdirSync(root) : []).toEqual([])
}

describe('importing', () => {
  it('pairs an IDX images file with its labels file and stores NHWC bytes the reader returns scaled', async () => {
    const { service, store, files } = setup()
    const pair = writeIdxPair(files, 'tiny', { count: 5 })
    const { datasets } = await service.import([pair.labels, pair.images]) // order does not matter
    expect(datasets).toHaveLength(1)
    const { dataset, created } = datasets[0]!
    expect(created).toBe(true)
    expect(dataset).toMatchObject({
      name: 'mnist-tiny',
      kind: 'mnist',
      count: 5,
      height: 28,
      width: 28,
      channels: 1,
      path: `datasets/${dataset.id}`,
    })
    expect(dataset.meta.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(dataset.meta.sourceFiles.map((f) => [f.path, f.format, f.gzip])).toEqual([
      [pair.images, 'idx-images', true],
      [pair.labels, 'idx-labels', true],
    ])
    expect(store.datasets.listDatasets()).toEqual([dataset])
    expect(JSON.parse(readFileSync(join(service.folderOf(dataset), 'dataset.json'), 'utf8'))).toEqual(dataset.meta)

    const reader = service.open(dataset.id)
    try {
      const batch = reader.batch([3])
      expect(batch.labels[0]).toBe((3 * 7) % 10)
      expect(batch.images[14 * 28 + 9]).toBeCloseTo(pixelOf(3, 14, 9) / 127.5 - 1, 6)
    } finally {
      reader.close()
    }
  })

  it('stores the same content once: a second import, or the same data uncompressed, returns the existing dataset', async () => {
    const { service, store, files } = setup()
    const gz = writeIdxPair(files, 'a', { gzip: true })
    const first = (await service.import([gz.images, gz.labels])).datasets[0]!
    const again = (await service.import([gz.images, gz.labels], { name: 'other name' })).datasets[0]!
    expect(again).toEqual({ dataset: first.dataset, created: false })
    const raw = writeIdxPair(files, 'b', { gzip: false })
    const rawImport = (await service.import([raw.images, raw.labels])).datasets[0]!
    expect(rawImport.created).toBe(false)
    expect(rawImport.dataset.id).toBe(first.dataset.id)
    expect(store.datasets.listDatasets()).toHaveLength(1)
    expect(readdirSync(join(store.paths.root, 'datasets'))).toEqual([first.dataset.id])
  })

  it('restores the files of a recorded dataset whose folder was deleted by hand', async () => {
    const { service, files } = setup()
    const pair = writeIdxPair(files, 'a')
    const { dataset } = (await service.import([pair.images, pair.labels])).datasets[0]!
    rmSync(service.folderOf(dataset), { recursive: true })
    const again = (await service.import([pair.images, pair.labels])).datasets[0]!
    expect(again.dataset.id).toBe(dataset.id)
    service.open(dataset.id).close()
  })

  it('imports train and t10k pairs in one call as two datasets named after --name and the split', async () => {
    const { service, files } = setup()
    const train = writeIdxPair(files, 'train', { count: 4 })
    const test = writeIdxPair(files, 't10k', { count: 3, gzip: false })
    const { datasets } = await service.import([train.images, test.labels, test.images, train.labels], {
      name: 'fm',
      kind: 'fashion-mnist',
    })
    expect(datasets.map((d) => [d.dataset.name, d.dataset.kind, d.dataset.count])).toEqual([
      ['fm-train', 'fashion-mnist', 4],
      ['fm-t10k', 'fashion-mnist', 3],
    ])
  })

  it('accepts IDX images of another size as kind idx, saying what it found', async () => {
    const { service, files } = setup()
    const pair = writeIdxPair(files, 'emnist-small', { count: 2, h: 16, w: 12 })
    const { dataset } = (await service.import([pair.images, pair.labels])).datasets[0]!
    expect(dataset).toMatchObject({ kind: 'idx', name: 'idx-emnist-small', height: 16, width: 12, channels: 1 })
  })

  it('concatenates CIFAR-10 batches into one 32×32×3 dataset', async () => {
    const { service, files } = setup()
    const b1 = join(files, 'data_batch_1.bin')
    const b2 = join(files, 'data_batch_2.bin')
    writeFileSync(b1, cifarBytes(3))
    writeFileSync(
      b2,
      cifarBytes(2, () => 9),
    )
    const { dataset } = (await service.import([b1, b2])).datasets[0]!
    expect(dataset).toMatchObject({
      kind: 'cifar10',
      name: 'cifar10-train',
      count: 5,
      height: 32,
      width: 32,
      channels: 3,
    })
    expect(dataset.meta.classes[0]).toBe('airplane')
    expect(dataset.meta.classCounts).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 2])
    const reader = service.open(dataset.id)
    try {
      const batch = reader.batch([3]) // the first record of the second batch
      expect(batch.labels[0]).toBe(9)
      for (let c = 0; c < 3; c++)
        expect(batch.images[(5 * 32 + 7) * 3 + c]).toBeCloseTo(pixelOf(0, 5, 7, c) / 127.5 - 1, 6)
    } finally {
      reader.close()
    }
  })

  it('removes temp folders left by an import that crashed over an hour ago, keeps recent ones', async () => {
    const { service, store, files } = setup()
    const root = join(store.paths.root, 'datasets')
    mkdirSync(join(root, '.import-old'), { recursive: true })
    mkdirSync(join(root, '.import-busy'))
    const hoursAgo = new Date(Date.now() - 2 * 3600_000)
    utimesSync(join(root, '.import-old'), hoursAgo, hoursAgo)
    const pair = writeIdxPair(files, 'a')
    await service.import([pair.images, pair.labels])
    expect(readdirSync(root).filter((e) => e.startsWith('.'))).toEqual(['.import-busy'])
  })
})

describe('bad input imports nothing and names the file', () => {
  type Case = [string, (dir: string) => { paths: string[]; bad: string; kind?: 'mnist' }, DatasetFileProblem, RegExp]
  const cases: Case[] = [
    [
      'wrong magic number',
      (dir) => {
        const pair = writeIdxPair(dir, 'x')
        writeFileSync(pair.images, gzipSync(idxBytes([5, 28, 28], imagesData(5, 28, 28), 0x01000803)))
        return { paths: [pair.images, pair.labels], bad: pair.images }
      },
      'BAD_MAGIC',
      /wrong magic number 0x01000803: not an IDX file/,
    ],
    [
      'truncated images file',
      (dir) => {
        const pair = writeIdxPair(dir, 'x', { gzip: false })
        writeFileSync(pair.images, idxBytes([5, 28, 28], imagesData(4, 28, 28)))
        return { paths: [pair.images, pair.labels], bad: pair.images }
      },
      'TRUNCATED',
      /truncated: the header promises 5×28×28 = 3920 data bytes, the file holds 3136/,
    ],
    [
      'label count different from image count',
      (dir) => {
        const pair = writeIdxPair(dir, 'x', { count: 5, labels: Uint8Array.from([1, 2, 3, 4]) })
        return { paths: [pair.images, pair.labels], bad: pair.labels }
      },
      'COUNT_MISMATCH',
      /holds 4 labels but its images file .*x-images-idx3-ubyte.gz holds 5 images/,
    ],
    [
      'mnist images that are not 28×28',
      (dir) => {
        const pair = writeIdxPair(dir, 'x', { h: 32, w: 32 })
        return { paths: [pair.images, pair.labels], bad: pair.images, kind: 'mnist' }
      },
      'BAD_DIMENSIONS',
      /holds 32×32×1 images; mnist images are 28×28×1/,
    ],
    [
      'a CIFAR file whose size is not a multiple of 3073',
      (dir) => {
        const file = join(dir, 'data_batch_1.bin')
        writeFileSync(file, cifarBytes(3, () => 4).subarray(0, 3 * 3073 - 1))
        return { paths: [file], bad: file }
      },
      'BAD_MAGIC',
      /9218 bytes is not a whole number of CIFAR-10 records \(3073 bytes each\)/,
    ],
    [
      'IDX labels outside 0..9',
      (dir) => {
        const pair = writeIdxPair(dir, 'x', { labels: Uint8Array.from([1, 2, 10, 4, 5]) })
        return { paths: [pair.images, pair.labels], bad: pair.labels }
      },
      'BAD_LABEL',
      /label 10 at index 2 is outside 0..9/,
    ],
    [
      'CIFAR labels outside 0..9',
      (dir) => {
        const file = join(dir, 'test_batch.bin')
        writeFileSync(
          file,
          cifarBytes(3, (n) => (n === 1 ? 200 : 1)),
        )
        return { paths: [file], bad: file }
      },
      'BAD_LABEL',
      /record 1 has label 200/,
    ],
    [
      'a corrupt .gz',
      (dir) => {
        const pair = writeIdxPair(dir, 'x', { count: 50 })
        const gz = readFileSync(pair.images)
        writeFileSync(pair.images, gz.subarray(0, gz.length - 100))
        return { paths: [pair.images, pair.labels], bad: pair.images }
      },
      'CORRUPT_GZIP',
      /is a corrupt \.gz file/,
    ],
    [
      'an images file without its labels',
      (dir) => {
        const pair = writeIdxPair(dir, 'x')
        return { paths: [pair.images], bad: pair.images }
      },
      'UNPAIRED',
      /no labels file/,
    ],
    [
      'a bad second pair: the good first pair is not imported either',
      (dir) => {
        writeIdxPair(dir, 'train')
        const test = writeIdxPair(dir, 't10k', { labels: Uint8Array.from([0, 1, 2, 3, 99]) })
        return {
          paths: [
            join(dir, 'train-images-idx3-ubyte.gz'),
            join(dir, 'train-labels-idx1-ubyte.gz'),
            test.images,
            test.labels,
          ],
          bad: test.labels,
        }
      },
      'BAD_LABEL',
      /label 99 at index 4/,
    ],
  ]

  it.each(cases)('%s', async (_, make, problem, message) => {
    const { service, store, files } = setup()
    const { paths, bad, kind } = make(files)
    const error = await service.import(paths, kind ? { kind } : {}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(DatasetFileError)
    expect((error as DatasetFileError).problem).toBe(problem)
    expect((error as DatasetFileError).file).toBe(bad)
    expect((error as Error).message.startsWith(`${bad}: `)).toBe(true)
    expect((error as Error).message).toMatch(message)
    expectNothingImported(store)
  })

  it('an unknown kind, an empty name or no files are option errors naming the option', async () => {
    const { service, store, files } = setup()
    const pair = writeIdxPair(files, 'x')
    await expect(service.import([pair.images, pair.labels], { kind: 'svhn' as 'mnist' })).rejects.toThrow(
      DatasetOptionError,
    )
    await expect(service.import([pair.images, pair.labels], { name: '  ' })).rejects.toMatchObject({ field: 'name' })
    await expect(service.import([])).rejects.toMatchObject({ field: 'paths' })
    await expect(service.import([pair.images, pair.images, pair.labels])).rejects.toThrow(/listed twice/)
    expectNothingImported(store)
  })
})

it('pairKey matches the usual MNIST file names', () => {
  expect(pairKey('/x/t10k-images-idx3-ubyte.gz')).toBe('t10k')
  expect(pairKey('/x/t10k-labels-idx1-ubyte')).toBe('t10k')
  expect(pairKey('train-images.idx3-ubyte')).toBe('train')
  expect(pairKey('emnist-letters-train-labels-idx1-ubyte.gz')).toBe('emnist-letters-train')
})

describe("Debian's Fashion-MNIST", () => {
  it('imports the t10k files: 10000 images of 28×28×1, labels 0..9, pixels and labels as in the raw bytes', async () => {
    expect(existsSync(FASHION), `${FASHION} is missing: apt-get install dataset-fashion-mnist (.ci/run does)`).toBe(
      true,
    )
    const { service } = setup()
    const images = join(FASHION, 't10k-images-idx3-ubyte.gz')
    const labels = join(FASHION, 't10k-labels-idx1-ubyte.gz')
    const { dataset, created } = (await service.import([images, labels])).datasets[0]!
    expect(created).toBe(true)
    expect(dataset).toMatchObject({
      kind: 'fashion-mnist',
      name: 'fashion-mnist-t10k',
      count: 10000,
      height: 28,
      width: 28,
      channels: 1,
    })
    expect(dataset.meta.classCounts).toEqual(Array(10).fill(1000))

    // Independently: the raw files through zlib, at the offsets the IDX headers (16 and 8 bytes) imply.
    const rawImages = gunzipSync(readFileSync(images))
    const rawLabels = gunzipSync(readFileSync(labels))
    expect(rawImages.readUInt32BE(0)).toBe(0x803)
    const pixel = (n: number, y: number, x: number) => rawImages[16 + n * 784 + y * 28 + x] as number
    const label = (n: number) => rawLabels[8 + n] as number
    // Known values of the published file: the first t10k item is an ankle boot (9), the second a pullover.
    expect([label(0), label(1)]).toEqual([9, 2])
    expect(pixel(0, 14, 14)).toBe(110)

    const reader = service.open(dataset.id)
    try {
      expect(Math.max(...reader.labels)).toBe(9)
      expect(Math.min(...reader.labels)).toBe(0)
      for (const n of [0, 1, 4321, 9999]) {
        const batch = reader.batch([n])
        expect(batch.labels[0], `label ${n}`).toBe(label(n))
        expect(batch.images[14 * 28 + 14], `pixel (${n}, 14, 14)`).toBeCloseTo(pixel(n, 14, 14) / 127.5 - 1, 6)
        expect([...reader.readPixels(n, 1)]).toEqual([...rawImages.subarray(16 + n * 784, 16 + (n + 1) * 784)])
      }
    } finally {
      reader.close()
    }
  })
})
