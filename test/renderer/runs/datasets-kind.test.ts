/** #19.16 The image import in the UI chooses the dataset kind, as `clab data import --kind` does. */
import { describe, expect, it } from 'vitest'
import { IMAGE_DATASET_KIND_LABELS, IMAGE_DATASET_KINDS, type ImageDatasetRecord } from '@shared/data/images'
import { DatasetsState } from '../../../src-renderer/lib/state/datasets.svelte'
import { fakeApi } from './fixtures'

const record = (kind: string) =>
  ({
    id: 'd1',
    name: 'x',
    kind,
    path: 'datasets/d1',
    count: 4,
    height: 28,
    width: 28,
    channels: 1,
    meta: {},
    createdAt: 1,
  }) as ImageDatasetRecord

describe('#19 import with a chosen kind', () => {
  it('#19 sends the chosen kind with the paths, and none when it is left to detection', async () => {
    const fake = fakeApi({
      'datasets.import': (p) => ({
        datasets: [{ dataset: record((p as { kind?: string }).kind ?? 'mnist'), created: true }],
      }),
    })
    const state = new DatasetsState(fake.api)
    await state.importFiles('a-images.gz\na-labels.gz', '', 'fashion-mnist')
    await state.importFiles('b-images.gz\nb-labels.gz', 'b')
    expect(fake.callsOf('datasets.import')).toEqual([
      { paths: ['a-images.gz', 'a-labels.gz'], kind: 'fashion-mnist' },
      { paths: ['b-images.gz', 'b-labels.gz'], name: 'b' },
    ])
    expect(state.importResult).toContain('(mnist,')
  })

  it('#19 an uploaded pair is imported with the kind too', async () => {
    const fake = fakeApi({
      'datasets.upload': (p) => ({ path: `uploads/${(p as { name: string }).name}`, bytes: 3 }),
      'datasets.import': (p) => ({ datasets: [{ dataset: record((p as { kind: string }).kind), created: true }] }),
    })
    const state = new DatasetsState(fake.api)
    const file = (name: string) => ({ name, size: 3, read: async () => new Uint8Array(3) })
    const imported = await state.uploadFiles([file('i.gz'), file('l.gz')], '', 'fashion-mnist')
    expect(imported?.[0]?.kind).toBe('fashion-mnist')
    expect(fake.callsOf('datasets.import')).toEqual([
      { paths: ['uploads/i.gz', 'uploads/l.gz'], kind: 'fashion-mnist' },
    ])
  })

  it('#19 every kind has a label for the form', () => {
    for (const kind of IMAGE_DATASET_KINDS) expect(IMAGE_DATASET_KIND_LABELS[kind].length).toBeGreaterThan(0)
  })
})
