import { describe, expect, it } from 'vitest'
import type { ImageDatasetRecord } from '@shared/data/images'
import {
  DatasetsState,
  datasetShape,
  formatBytes,
  parsePaths,
  uploadProgressText,
} from '../../../src-renderer/lib/state/datasets.svelte'
import { fakeApi } from './fixtures'

const dataset = (over: Partial<ImageDatasetRecord> = {}): ImageDatasetRecord =>
  ({
    id: 'd1',
    name: 'fashion-t10k',
    kind: 'fashion-mnist',
    path: 'datasets/d1',
    count: 10000,
    height: 28,
    width: 28,
    channels: 1,
    meta: {},
    createdAt: 5,
    ...over,
  }) as ImageDatasetRecord

describe('image datasets panel', () => {
  it('reads paths one per line or comma-separated, and formats shapes', () => {
    expect(parsePaths(' a.gz\n\nb.gz , c.bin ')).toEqual(['a.gz', 'b.gz', 'c.bin'])
    expect(datasetShape(dataset())).toBe('10000 × 28×28×1')
  })

  it('lists, imports (new and already stored) and shows a refused file without touching the list', async () => {
    const fake = fakeApi({
      'datasets.list': () => [dataset()],
      'datasets.import': (payload) => {
        const { paths } = payload as { paths: string[] }
        if (paths.some((p) => p.includes('bad')))
          throw {
            code: 'DATASET_FILE',
            message: '/data/bad-images-idx3-ubyte: wrong magic number 0x00000909',
            field: 'paths',
          }
        return {
          datasets: [
            { dataset: dataset({ id: 'd2', name: 'digits', kind: 'mnist', count: 12 }), created: true },
            { dataset: dataset(), created: false },
          ],
        }
      },
    })
    const state = new DatasetsState(fake.api)
    await state.load()
    expect(state.datasets.map((d) => d.id)).toEqual(['d1'])

    expect(await state.importFiles('  ', '')).toBeNull()
    expect(state.importError).toMatch(/Enter the paths/)
    expect(fake.callsOf('datasets.import')).toEqual([])

    const imported = await state.importFiles('a-images-idx3-ubyte.gz\na-labels-idx1-ubyte.gz', ' digits ')
    expect(imported?.map((d) => d.id)).toEqual(['d2', 'd1'])
    expect(fake.callsOf('datasets.import').at(-1)).toEqual({
      paths: ['a-images-idx3-ubyte.gz', 'a-labels-idx1-ubyte.gz'],
      name: 'digits',
    })
    expect(state.datasets.map((d) => d.id)).toEqual(['d2', 'd1'])
    expect(state.importResult).toMatch(/Imported “digits” \(mnist, 12 × 28×28×1\); Already here: “fashion-t10k”/)

    expect(await state.importFiles('bad-images-idx3-ubyte', '')).toBeNull()
    expect(state.importError).toMatch(/wrong magic number/)
    expect(state.datasets.map((d) => d.id)).toEqual(['d2', 'd1'])
    expect(state.importing).toBe(false)
  })

  it('uploads picked files one by one, imports them together by their uploaded paths, and stops at a failed upload', async () => {
    const fake = fakeApi({
      'datasets.list': () => [],
      'datasets.upload': (payload) => {
        const { name, bytes } = payload as { name: string; bytes: Uint8Array }
        if (name.includes('huge')) throw { code: 'INVALID_PAYLOAD', message: 'message too large' }
        return { path: `/data/uploads/u/${name}`, bytes: bytes.length }
      },
      'datasets.import': () => ({ datasets: [{ dataset: dataset({ id: 'd3', name: 'picked' }), created: true }] }),
    })
    const state = new DatasetsState(fake.api)
    const file = (name: string) => ({
      name,
      size: 3,
      read: async (start: number, end: number) => Uint8Array.from([1, 2, 3]).slice(start, end),
    })
    expect(await state.uploadFiles([], '')).toBeNull()
    expect(state.importError).toMatch(/Choose the files/)

    const imported = await state.uploadFiles(
      [file('train-images-idx3-ubyte.gz'), file('train-labels-idx1-ubyte.gz')],
      'picked',
    )
    expect(imported?.map((d) => d.id)).toEqual(['d3'])
    expect(fake.callsOf('datasets.upload').map((p) => (p as { name: string }).name)).toEqual([
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ])
    expect(fake.callsOf('datasets.import').at(-1)).toEqual({
      paths: ['/data/uploads/u/train-images-idx3-ubyte.gz', '/data/uploads/u/train-labels-idx1-ubyte.gz'],
      name: 'picked',
    })
    expect(state.uploadProgress).toBeNull()

    const importsBefore = fake.callsOf('datasets.import').length
    expect(await state.uploadFiles([file('huge.bin')], '')).toBeNull()
    expect(state.importError).toBe('Could not upload: message too large')
    expect(fake.callsOf('datasets.import')).toHaveLength(importsBefore)
    expect(state.importing).toBe(false)
  })

  it('sends a large file in chunks at their offsets, reporting bytes sent over all files, and stops at a refused chunk', async () => {
    const stored = new Map<string, number[]>()
    const seen: string[] = []
    let full = false
    const fake = fakeApi({
      'datasets.upload': (payload) => {
        const { name, bytes, to, offset } = payload as { name: string; bytes: Uint8Array; to?: string; offset?: number }
        seen.push(uploadProgressText(state.uploadProgress!))
        const path = to ?? `/data/uploads/u/${name}`
        const before = stored.get(path) ?? []
        if (full && to)
          throw { code: 'STORAGE_FULL', message: 'the disk holding the data folder is full; the upload was not stored' }
        expect(offset ?? 0).toBe(before.length)
        stored.set(path, [...before, ...bytes])
        return { path, bytes: before.length + bytes.length }
      },
      'datasets.import': () => ({ datasets: [{ dataset: dataset({ id: 'd4' }), created: true }] }),
    })
    const state = new DatasetsState(fake.api, 4)
    const bytesOf = (n: number, from: number) => Uint8Array.from({ length: n }, (_, i) => from + i)
    const picked = (name: string, content: Uint8Array<ArrayBuffer>) => ({
      name,
      size: content.length,
      read: async (start: number, end: number) => content.slice(start, end),
    })

    expect(
      await state.uploadFiles([picked('images.gz', bytesOf(10, 0)), picked('labels.gz', bytesOf(3, 100))], ''),
    ).not.toBeNull()
    expect(
      fake.callsOf('datasets.upload').map((p) => {
        const { to, offset, bytes } = p as { to?: string; offset?: number; bytes: Uint8Array }
        return [to ?? null, offset ?? null, bytes.length]
      }),
    ).toEqual([
      [null, null, 4],
      ['/data/uploads/u/images.gz', 4, 4],
      ['/data/uploads/u/images.gz', 8, 2],
      [null, null, 3],
    ])
    expect(stored.get('/data/uploads/u/images.gz')).toEqual([...bytesOf(10, 0)])
    expect(stored.get('/data/uploads/u/labels.gz')).toEqual([...bytesOf(3, 100)])
    expect(seen).toEqual([
      'Uploading 1 of 2: images.gz (0 B of 13 B)',
      'Uploading 1 of 2: images.gz (4 B of 13 B)',
      'Uploading 1 of 2: images.gz (8 B of 13 B)',
      'Uploading 2 of 2: labels.gz (10 B of 13 B)',
    ])
    expect(fake.callsOf('datasets.import').at(-1)).toEqual({
      paths: ['/data/uploads/u/images.gz', '/data/uploads/u/labels.gz'],
    })
    expect(state.uploadProgress).toBeNull()

    // The disk fills up at the second chunk: the upload stops there and nothing is imported.
    const imports = fake.callsOf('datasets.import').length
    full = true
    expect(await state.uploadFiles([picked('big.gz', bytesOf(10, 0))], '')).toBeNull()
    expect(state.importError).toBe(
      'Could not upload: the disk holding the data folder is full; the upload was not stored',
    )
    expect(fake.callsOf('datasets.import')).toHaveLength(imports)
    expect(state.uploadProgress).toBeNull()
    expect(state.importing).toBe(false)
  })

  it('formats byte counts', () => {
    expect([999, 1500, 26_421_856, 3.2e9].map(formatBytes)).toEqual(['999 B', '1.5 kB', '26.4 MB', '3.20 GB'])
  })
})
