import { describe, expect, it } from 'vitest'
import type { ImageDatasetRecord } from '@shared/data/images'
import { DatasetsState, datasetShape, parsePaths } from '../../../src-renderer/lib/state/datasets.svelte'
import { fakeApi } from './fixtures'

const dataset = (over: Partial<ImageDatasetRecord> = {}): ImageDatasetRecord =>
  ({ id: 'd1', name: 'fashion-t10k', kind: 'fashion-mnist', path: 'datasets/d1', count: 10000, height: 28, width: 28, channels: 1, meta: {}, createdAt: 5, ...over }) as ImageDatasetRecord

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
        if (paths.some((p) => p.includes('bad'))) throw { code: 'DATASET_FILE', message: '/data/bad-images-idx3-ubyte: wrong magic number 0x00000909', field: 'paths' }
        return { datasets: [{ dataset: dataset({ id: 'd2', name: 'digits', kind: 'mnist', count: 12 }), created: true }, { dataset: dataset(), created: false }] }
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
    expect(fake.callsOf('datasets.import').at(-1)).toEqual({ paths: ['a-images-idx3-ubyte.gz', 'a-labels-idx1-ubyte.gz'], name: 'digits' })
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
    const file = (name: string) => ({ name, bytes: async () => Uint8Array.from([1, 2, 3]) })
    expect(await state.uploadFiles([], '')).toBeNull()
    expect(state.importError).toMatch(/Choose the files/)

    const imported = await state.uploadFiles([file('train-images-idx3-ubyte.gz'), file('train-labels-idx1-ubyte.gz')], 'picked')
    expect(imported?.map((d) => d.id)).toEqual(['d3'])
    expect(fake.callsOf('datasets.upload').map((p) => (p as { name: string }).name)).toEqual(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'])
    expect(fake.callsOf('datasets.import').at(-1)).toEqual({ paths: ['/data/uploads/u/train-images-idx3-ubyte.gz', '/data/uploads/u/train-labels-idx1-ubyte.gz'], name: 'picked' })
    expect(state.uploadProgress).toBeNull()

    const importsBefore = fake.callsOf('datasets.import').length
    expect(await state.uploadFiles([file('huge.bin')], '')).toBeNull()
    expect(state.importError).toBe('Could not upload: message too large')
    expect(fake.callsOf('datasets.import')).toHaveLength(importsBefore)
    expect(state.importing).toBe(false)
  })
})
