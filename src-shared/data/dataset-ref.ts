/**
 * The `dataset` field of a config names either a built-in 2D dataset (`moons`, ...) or an imported image
 * dataset as `image:<id>` (the id of its history row). The prefix keeps the two apart without a second
 * field, so every existing config, list filter and export keeps working.
 */
import { DATASETS_2D, type Dataset2D } from './datasets2d'

export const IMAGE_DATASET_PREFIX = 'image:'

/** Ids are the history's run-style ids (`20261126-031522-ABCDEFGH`); any [A-Za-z0-9_-] id is accepted. */
const IMAGE_REF = /^image:[A-Za-z0-9_-]{1,100}$/

export function isDataset2D(dataset: string): dataset is Dataset2D {
  return (DATASETS_2D as readonly string[]).includes(dataset)
}

export function isImageDatasetRef(dataset: string): boolean {
  return IMAGE_REF.test(dataset)
}

export function imageDatasetRef(id: string): string {
  return `${IMAGE_DATASET_PREFIX}${id}`
}

/** The dataset id inside `image:<id>`; throws for anything else. */
export function imageDatasetId(dataset: string): string {
  if (!isImageDatasetRef(dataset)) throw new Error(`not an image dataset reference: ${JSON.stringify(dataset)}`)
  return dataset.slice(IMAGE_DATASET_PREFIX.length)
}

export function isKnownDatasetForm(dataset: string): boolean {
  return isDataset2D(dataset) || isImageDatasetRef(dataset)
}

export const DATASET_CHOICES_TEXT = `${DATASETS_2D.join(', ')} or an imported image dataset (image:<id>)`
