/**
 * State of the image-datasets panel: the datasets of the history (`datasets.list`) and importing files
 * (`datasets.import`). Paths are on the machine running the app and inside its data folder (the API refuses
 * others); several paths go in one import, so an images file is paired with its labels file.
 */
import type { ApiClient } from '@shared/ipc/api'
import type { ImageDatasetRecord } from '@shared/data/images'
import { callOn } from '../api'
import { imageShape } from '@shared/data/dataset-names'
import { errorText } from './runs.svelte'

/** Paths typed one per line or separated by commas; blank entries dropped. */
export function parsePaths(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
}

/** `10000 × 28×28×1` */
export function datasetShape(d: Pick<ImageDatasetRecord, 'count' | 'height' | 'width' | 'channels'>): string {
  return `${d.count} × ${imageShape(d)}`
}

export class DatasetsState {
  datasets = $state.raw<ImageDatasetRecord[]>([])
  loading = $state(false)
  loadError = $state<string | null>(null)
  importing = $state(false)
  importError = $state<string | null>(null)
  importResult = $state<string | null>(null)
  /** While files from a picker upload: `uploading 2 of 3: name`. */
  uploadProgress = $state<string | null>(null)

  constructor(private readonly api: ApiClient) {}

  /**
   * Files chosen in a file picker: each is uploaded into the data folder (`datasets.upload`, one message per
   * file), then all are imported together (so images pair with their labels); the import removes the
   * uploaded copies. Returns the datasets, or null with `importError` set.
   */
  async uploadFiles(files: ReadonlyArray<{ name: string; bytes: () => Promise<Uint8Array<ArrayBuffer>> }>, name: string): Promise<ImageDatasetRecord[] | null> {
    this.importError = null
    this.importResult = null
    if (files.length === 0) {
      this.importError = 'Choose the files to import: IDX images and labels (raw or .gz), or CIFAR-10 batches.'
      return null
    }
    this.importing = true
    const paths: string[] = []
    try {
      for (const [i, file] of files.entries()) {
        this.uploadProgress = `Uploading ${i + 1} of ${files.length}: ${file.name}`
        const uploaded = await callOn(this.api, 'datasets.upload', { name: file.name, bytes: await file.bytes() })
        paths.push(uploaded.path)
      }
    } catch (error) {
      this.importError = `Could not upload: ${errorText(error)}`
      this.importing = false
      this.uploadProgress = null
      return null
    }
    this.uploadProgress = null
    this.importing = false
    return this.importFiles(paths.join('\n'), name)
  }

  async load(): Promise<void> {
    this.loading = true
    this.loadError = null
    try {
      this.datasets = await callOn(this.api, 'datasets.list')
    } catch (error) {
      this.loadError = errorText(error)
    } finally {
      this.loading = false
    }
  }

  /** Imports the listed files; returns the datasets, or null with `importError` set (nothing was imported). */
  async importFiles(pathsText: string, name: string): Promise<ImageDatasetRecord[] | null> {
    this.importError = null
    this.importResult = null
    const paths = parsePaths(pathsText)
    if (paths.length === 0) {
      this.importError = 'Enter the paths of the files to import: IDX images and labels (raw or .gz), or CIFAR-10 batches.'
      return null
    }
    this.importing = true
    try {
      const n = name.trim()
      const result = await callOn(this.api, 'datasets.import', n === '' ? { paths } : { paths, name: n })
      const imported = result.datasets.map((d) => d.dataset)
      const ids = new Set(imported.map((d) => d.id))
      this.datasets = [...imported, ...this.datasets.filter((d) => !ids.has(d.id))]
      this.importResult = result.datasets
        .map(({ dataset, created }) => `${created ? 'Imported' : 'Already here:'} “${dataset.name}” (${dataset.kind}, ${datasetShape(dataset)})`)
        .join('; ')
      return imported
    } catch (error) {
      this.importError = errorText(error)
      return null
    } finally {
      this.importing = false
    }
  }
}
