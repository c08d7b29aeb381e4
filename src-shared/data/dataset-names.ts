/**
 * How the UI and the CLI name a config's `dataset`: built-in 2D sets by their name, imported image sets (`image:<id>`)
 * by the name they were imported under with their image shape, so no view shows a bare id. Also the dataset
 * choices of the forms and filters (the 2D sets, then the image sets of the history).
 */
import { DATASETS_2D } from '@shared/data/datasets2d'
import { imageDatasetId, imageDatasetRef, isImageDatasetRef } from '@shared/data/dataset-ref'
import type { ImageDatasetRecord } from '@shared/data/images'

export type DatasetRecordLike = Pick<ImageDatasetRecord, 'id' | 'name' | 'count' | 'height' | 'width' | 'channels'> &
  Partial<Pick<ImageDatasetRecord, 'kind'>>

export interface DatasetOption {
  /** The config value: a 2D name or `image:<id>`. */
  value: string
  label: string
  kind: '2d' | 'image'
}

export type DatasetIndex = ReadonlyMap<string, DatasetRecordLike>

export function indexDatasets(records: readonly DatasetRecordLike[]): DatasetIndex {
  return new Map(records.map((r) => [r.id, r]))
}

/** `28×28×1` (height × width × channels). */
export function imageShape(d: Pick<DatasetRecordLike, 'height' | 'width' | 'channels'>): string {
  return `${d.height}×${d.width}×${d.channels}`
}

/** The image record a dataset value names, or null (a 2D set, or an image set no longer in the history). */
export function imageRecordOf(dataset: string | null | undefined, index: DatasetIndex): DatasetRecordLike | null {
  if (!dataset || !isImageDatasetRef(dataset)) return null
  return index.get(imageDatasetId(dataset)) ?? null
}

/** A dataset value as shown: `moons`, `tiny (8×8×1)`, or the raw `image:<id>` of an unknown image set. */
export function datasetLabel(dataset: string | null | undefined, index: DatasetIndex, withShape = true): string {
  if (!dataset) return '—'
  const record = imageRecordOf(dataset, index)
  if (!record) return dataset
  return withShape ? `${record.name} (${imageShape(record)})` : record.name
}

/** The dataset choices: every built-in 2D set, then the imported image sets (value `image:<id>`). */
export function datasetOptions(records: readonly DatasetRecordLike[]): DatasetOption[] {
  return [
    ...DATASETS_2D.map((name) => ({ value: name as string, label: name as string, kind: '2d' as const })),
    ...records.map((r) => ({
      value: imageDatasetRef(r.id),
      label: `${r.name} (images, ${r.count} × ${imageShape(r)})`,
      kind: 'image' as const,
    })),
  ]
}

/**
 * Choices for a filter over the datasets runs use: the known ones (2D, imported) and any other value seen
 * in the runs, each labelled by name.
 */
export function datasetFilterOptions(seen: readonly string[], index: DatasetIndex): DatasetOption[] {
  const values = [...DATASETS_2D, ...[...index.keys()].map(imageDatasetRef), ...seen]
  return [...new Set(values)].map((value) => ({
    value,
    label: datasetLabel(value, index),
    kind: isImageDatasetRef(value) ? ('image' as const) : ('2d' as const),
  }))
}

/** Text with every `image:<id>` of a known image set replaced by its name (teacher names embed the dataset). */
export function withDatasetNames(text: string, index: DatasetIndex): string {
  // Ids contain dashes like the names around them, so known ids are looked for, longest first.
  let out = text
  for (const [id, record] of [...index].sort((a, b) => b[0].length - a[0].length))
    out = out.split(imageDatasetRef(id)).join(record.name)
  return out
}
