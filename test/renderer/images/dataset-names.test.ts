import { describe, expect, it } from 'vitest'
import { DATASETS_2D } from '@shared/data/datasets2d'
import {
  datasetFilterOptions,
  datasetLabel,
  datasetOptions,
  imageRecordOf,
  indexDatasets,
  withDatasetNames,
} from '@shared/data/dataset-names'
import { parseRoute, routeHash } from '../../../src-renderer/lib/router.svelte'

const tiny = { id: 'D1', name: 'tiny', kind: 'idx' as const, count: 40, height: 8, width: 8, channels: 1 }
const cifar = { id: 'D2', name: 'cifar', kind: 'cifar10' as const, count: 10000, height: 32, width: 32, channels: 3 }
const index = indexDatasets([tiny, cifar])

describe('dataset names', () => {
  it('names image datasets by name and shape, 2D sets by themselves, unknown image refs as they are', () => {
    expect(datasetLabel('image:D1', index)).toBe('tiny (8×8×1)')
    expect(datasetLabel('image:D2', index, false)).toBe('cifar')
    expect(datasetLabel('moons', index)).toBe('moons')
    expect(datasetLabel('image:GONE', index)).toBe('image:GONE')
    expect(datasetLabel(null, index)).toBe('—')
    expect(imageRecordOf('image:D2', index)).toBe(cifar)
    expect(imageRecordOf('moons', index)).toBeNull()
  })

  it('offers the 2D sets then the image sets as image:<id>, labelled with their size', () => {
    const options = datasetOptions([tiny, cifar])
    expect(options.slice(0, DATASETS_2D.length).map((o) => [o.value, o.kind])).toEqual(
      DATASETS_2D.map((d) => [d, '2d']),
    )
    expect(options.slice(DATASETS_2D.length)).toEqual([
      { value: 'image:D1', label: 'tiny (images, 40 × 8×8×1)', kind: 'image' },
      { value: 'image:D2', label: 'cifar (images, 10000 × 32×32×3)', kind: 'image' },
    ])
  })

  it('filters over every known dataset and the values runs use, once each', () => {
    const options = datasetFilterOptions(['moons', 'image:D1', 'image:OLD'], index)
    expect(options.filter((o) => o.kind === 'image').map((o) => [o.value, o.label])).toEqual([
      ['image:D1', 'tiny (8×8×1)'],
      ['image:D2', 'cifar (32×32×3)'],
      ['image:OLD', 'image:OLD'],
    ])
    expect(options.filter((o) => o.value === 'moons')).toHaveLength(1)
  })

  it('names the image dataset inside a teacher name', () => {
    expect(withDatasetNames('image:D1-seed0', index)).toBe('tiny-seed0')
    expect(withDatasetNames('image:NOPE-seed0', index)).toBe('image:NOPE-seed0')
    expect(withDatasetNames('moons-seed0', index)).toBe('moons-seed0')
  })

  it('routes the teacher form to a dataset and back', () => {
    expect(parseRoute('#/teachers?dataset=image%3AD1')).toEqual({ name: 'teachers', dataset: 'image:D1' })
    expect(parseRoute('#/teachers')).toEqual({ name: 'teachers' })
    expect(routeHash({ name: 'teachers', dataset: 'image:D1' })).toBe('#/teachers?dataset=image%3AD1')
    expect(parseRoute(routeHash({ name: 'teachers', dataset: 'image:D1' }))).toEqual({
      name: 'teachers',
      dataset: 'image:D1',
    })
  })
})

describe('the compare picker', () => {
  it('names image datasets in the run summary and finds runs by the dataset name', async () => {
    const { configSummary, filterRuns } = await import('../../../src-renderer/lib/state/run-picker.svelte')
    expect(configSummary({ dataset: 'image:D1', algorithm: 'cd', numScales: 6 }, index)).toBe('tiny · cd · N=6')
    expect(configSummary({ dataset: 'image:D1', algorithm: 'cd', numScales: 6 })).toBe('image:D1 · cd · N=6')
    const run = { id: 'r1', kind: 'distill', status: 'finished', tags: [], notes: '', config: { dataset: 'image:D1' } }
    expect(filterRuns([run] as never, 'tiny', index)).toHaveLength(1)
    expect(filterRuns([run] as never, 'tiny')).toHaveLength(0)
  })
})
