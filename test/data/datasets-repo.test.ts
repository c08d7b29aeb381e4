/** The datasets table through its repository: rows round-trip, content is unique, unknown ids are named. */
import { describe, expect, it } from 'vitest'
import type { ImageDatasetMeta } from '@shared/data/images'
import { DatasetExistsError, DatasetNotFoundError, StoreInputError } from '../../src-main/store'
import { tempStore } from '../store/helpers'

const meta = (sha: string): ImageDatasetMeta => ({
  name: 'm',
  kind: 'mnist',
  sourceFiles: [{ path: '/x/t10k-images-idx3-ubyte.gz', bytes: 10, format: 'idx-images', gzip: true }],
  count: 3,
  height: 28,
  width: 28,
  channels: 1,
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  classCounts: [3, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  sha256: sha,
  files: { images: 'images.u8', labels: 'labels.u8' },
})

describe('DatasetsRepo', () => {
  it('adds, finds by id and content hash, lists newest first and deletes', () => {
    const { datasets } = tempStore()
    const a = datasets.addDataset({
      id: 'a1',
      name: 'first',
      kind: 'mnist',
      path: 'datasets/a1',
      meta: meta('a'.repeat(64)),
      now: 1,
    })
    const b = datasets.addDataset({
      id: 'b2',
      name: 'second',
      kind: 'cifar10',
      path: 'datasets/b2',
      meta: { ...meta('b'.repeat(64)), kind: 'cifar10', height: 32, width: 32, channels: 3 },
      now: 2,
    })
    expect(a).toMatchObject({
      id: 'a1',
      name: 'first',
      kind: 'mnist',
      count: 3,
      height: 28,
      width: 28,
      channels: 1,
      createdAt: 1,
    })
    expect(a.meta).toEqual(meta('a'.repeat(64)))
    expect(datasets.findBySha256('b'.repeat(64))).toEqual(b)
    expect(datasets.listDatasets().map((d) => d.id)).toEqual(['b2', 'a1'])
    expect(datasets.listDatasets({ kind: 'mnist' }).map((d) => d.id)).toEqual(['a1'])
    expect(datasets.deleteDataset('a1')).toEqual(a)
    expect(datasets.findDataset('a1')).toBeUndefined()
  })

  it('refuses a second row with the same content, an unsafe id, and names an unknown id', () => {
    const { datasets } = tempStore()
    datasets.addDataset({ id: 'a1', name: 'first', kind: 'mnist', path: 'datasets/a1', meta: meta('c'.repeat(64)) })
    expect(() =>
      datasets.addDataset({ id: 'a2', name: 'again', kind: 'mnist', path: 'datasets/a2', meta: meta('c'.repeat(64)) }),
    ).toThrow(DatasetExistsError)
    expect(() =>
      datasets.addDataset({ id: '../x', name: 'x', kind: 'mnist', path: 'datasets/x', meta: meta('d'.repeat(64)) }),
    ).toThrow(StoreInputError)
    expect(() => datasets.getDataset('nope')).toThrow(DatasetNotFoundError)
    expect(() => datasets.getDataset('nope')).toThrow('dataset "nope" does not exist')
  })
})
