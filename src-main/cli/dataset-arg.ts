/**
 * `--dataset` takes a built-in 2D dataset, `image:<id>`, or the id or name of an imported image dataset
 * (`clab data list`); the last two become `image:<id>` before validation. For an image dataset the teacher
 * model is the U-Net unless `--model` says otherwise (validation then names the mismatch).
 */
import { imageDatasetRef, isKnownDatasetForm } from '@shared/data/dataset-ref'
import { DATASETS_2D } from '@shared/data/datasets2d'
import { openLabStore } from '../store'
import { UsageError } from './args'

export function resolveDatasetOption(options: Record<string, unknown>): void {
  const value = options.dataset
  if (typeof value !== 'string' || isKnownDatasetForm(value)) return
  const store = openLabStore(typeof options.dataDir === 'string' ? { dataDir: options.dataDir } : {})
  try {
    const datasets = store.datasets.listDatasets()
    const matches = datasets.filter((d) => d.id === value || d.name === value)
    if (matches.length === 0) {
      const names = datasets.map((d) => d.name).join(', ')
      const imported = names ? `an imported one (${names})` : 'an imported image dataset (clab data import)'
      throw new UsageError(
        `--dataset: unknown dataset; expected one of ${DATASETS_2D.join(', ')} or ${imported} (got ${JSON.stringify(value)})`,
      )
    }
    if (matches.length > 1)
      throw new UsageError(
        `--dataset: ${JSON.stringify(value)} names ${matches.length} imported datasets; give its id (${matches.map((d) => d.id).join(', ')})`,
      )
    options.dataset = imageDatasetRef((matches[0] as (typeof matches)[number]).id)
  } finally {
    store.close()
  }
}
