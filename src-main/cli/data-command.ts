/**
 * `clab data import|list`: image datasets in the history. A file the importer refuses (wrong format,
 * truncated, mismatched counts, over CLAB_MAX_IMPORT_BYTES, …) or a bad flag exits 2 with the message
 * naming the file or flag; any other failure of the import (a full disk, say) exits 1. Either way nothing
 * is imported.
 */
import { IMAGE_DATASET_KINDS, type ImageDatasetKind, type ImageDatasetRecord } from '@shared/data/images'
import { DatasetFileError } from '../data/errors'
import { DatasetOptionError, DatasetService, maxImportBytesFromEnv } from '../services/dataset-service'
import { openLabStore } from '../store'
import { EXIT_OK, UsageError } from './args'

interface Options {
  dataDir?: string
  json?: boolean
  name?: string
  kind?: string
}

const FLAG_OF: Record<Exclude<DatasetOptionError['field'], 'maxBytes'>, string> = {
  name: '--name',
  kind: '--kind',
  paths: '<path...>',
}

async function withDatasets(
  options: Options,
  fn: (service: DatasetService) => Promise<number> | number,
): Promise<number> {
  // Flags are checked before the history is opened, so a typo does not create a data folder.
  if (options.kind !== undefined && !(IMAGE_DATASET_KINDS as readonly string[]).includes(options.kind)) {
    throw new UsageError(
      `--kind: unknown dataset kind ${JSON.stringify(options.kind)} (expected ${IMAGE_DATASET_KINDS.join(', ')})`,
    )
  }
  if (options.name !== undefined && (options.name.trim() === '' || options.name.trim().length > 200)) {
    throw new UsageError(`--name: a dataset name has 1 to 200 characters (got ${JSON.stringify(options.name)})`)
  }
  const store = openLabStore(options.dataDir ? { dataDir: options.dataDir } : {})
  try {
    return await fn(new DatasetService(store))
  } catch (error) {
    if (error instanceof DatasetFileError) throw new UsageError(error.message)
    if (error instanceof DatasetOptionError)
      throw new UsageError(error.field === 'maxBytes' ? error.message : `${FLAG_OF[error.field]}: ${error.message}`)
    throw error
  } finally {
    store.close()
  }
}

const shape = (d: ImageDatasetRecord) => `${d.height}×${d.width}×${d.channels}`

export async function dataImportCommand(paths: string[], options: Options): Promise<number> {
  // The environment's size limit is checked with the flags, before the history is opened.
  try {
    maxImportBytesFromEnv()
  } catch (error) {
    throw error instanceof DatasetOptionError ? new UsageError(error.message) : error
  }
  return await withDatasets(options, async (service) => {
    const result = await service.import(paths, {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.kind !== undefined ? { kind: options.kind as ImageDatasetKind } : {}),
    })
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ command: 'data import', datasets: result.datasets.map((d) => ({ ...d.dataset, created: d.created })) })}\n`,
      )
    } else {
      for (const { dataset, created } of result.datasets) {
        const what = created ? 'imported' : 'already in the history'
        process.stdout.write(
          `dataset ${dataset.id} (${dataset.name}: ${dataset.kind}, ${dataset.count} images of ${shape(dataset)}) ${what}\n`,
        )
      }
    }
    return EXIT_OK
  })
}

export function dataListCommand(options: Options): Promise<number> {
  return withDatasets(options, (service) => {
    const datasets = service.list(options.kind)
    if (options.json) process.stdout.write(`${JSON.stringify({ command: 'data list', datasets })}\n`)
    else if (datasets.length === 0) process.stdout.write('no datasets yet: clab data import <files>\n')
    else {
      for (const d of datasets) {
        const classifier = d.classifier
          ? `classifier ${(100 * d.classifier.testAccuracy).toFixed(1)}% on ${d.classifier.testImages} held-out`
          : d.classifierError
            ? `classifier unusable: ${d.classifierError}`
            : 'no classifier yet'
        process.stdout.write(
          `${d.id}  ${d.kind.padEnd(13)}  ${String(d.count).padStart(6)} × ${shape(d).padEnd(9)}  ${d.name}  (${classifier})\n`,
        )
      }
    }
    return EXIT_OK
  })
}
