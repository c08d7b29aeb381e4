/**
 * State of the image-datasets panel: the datasets of the history (`datasets.list`) and importing files
 * (`datasets.import`). Paths are on the machine running the app and inside its data folder (the API refuses
 * others); several paths go in one import, so an images file is paired with its labels file.
 */
import type { ApiClient } from '@shared/ipc/api'
import type { ImageDatasetKind, ImageDatasetRecord } from '@shared/data/images'
import { callOn } from '../api'
import { imageShape } from '@shared/data/dataset-names'
import { errorText } from '../error-text'

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

/** A file from a picker: its size, and its bytes from `start` to `end` (read a chunk at a time). */
export interface PickedFile {
  name: string
  size: number
  read: (start: number, end: number) => Promise<Uint8Array<ArrayBuffer>>
}

export interface UploadProgress {
  file: string
  /** 0-based position of `file` among `count` files. */
  index: number
  count: number
  /** Bytes sent and to send, over all the files. */
  sent: number
  total: number
}

export const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024

/** `12.3 MB` */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`
  return `${(bytes / 1e9).toFixed(2)} GB`
}

/** `Uploading 2 of 3: data_batch_2.bin (12.3 MB of 92.1 MB)` */
export function uploadProgressText(p: UploadProgress): string {
  return `Uploading ${p.index + 1} of ${p.count}: ${p.file} (${formatBytes(p.sent)} of ${formatBytes(p.total)})`
}

export class DatasetsState {
  datasets = $state.raw<ImageDatasetRecord[]>([])
  loading = $state(false)
  loadError = $state<string | null>(null)
  importing = $state(false)
  importError = $state<string | null>(null)
  importResult = $state<string | null>(null)
  /** While picked files upload: which file, and bytes sent of all files' bytes (for the progress bar). */
  uploadProgress = $state<UploadProgress | null>(null)

  constructor(
    private readonly api: ApiClient,
    /** Bytes per `datasets.upload` message: small enough for any transport, large enough to be few. */
    private readonly chunkBytes = UPLOAD_CHUNK_BYTES,
  ) {}

  /**
   * Files chosen in a file picker: each is uploaded into the data folder in chunks (`datasets.upload`, the
   * first creating the copy, the next appended at their offset), then all are imported together (so images
   * pair with their labels); the import removes the uploaded copies. Returns the datasets, or null with
   * `importError` set.
   */
  async uploadFiles(
    files: ReadonlyArray<PickedFile>,
    name: string,
    kind: ImageDatasetKind | '' = '',
  ): Promise<ImageDatasetRecord[] | null> {
    this.importError = null
    this.importResult = null
    if (files.length === 0) {
      this.importError = 'Choose the files to import: IDX images and labels (raw or .gz), or CIFAR-10 batches.'
      return null
    }
    this.importing = true
    const paths: string[] = []
    const total = files.reduce((n, f) => n + f.size, 0)
    let sent = 0
    try {
      for (const [index, file] of files.entries()) {
        const chunk = async (start: number, to: string | null): Promise<{ path: string; bytes: number }> => {
          this.uploadProgress = { file: file.name, index, count: files.length, sent, total }
          const bytes = await file.read(start, Math.min(file.size, start + this.chunkBytes))
          sent += bytes.byteLength
          return callOn(
            this.api,
            'datasets.upload',
            to === null ? { name: file.name, bytes } : { name: file.name, bytes, to, offset: start },
          )
        }
        // The first chunk creates the copy (an empty file is one empty chunk); the rest append at its end.
        let uploaded = await chunk(0, null)
        while (uploaded.bytes < file.size) uploaded = await chunk(uploaded.bytes, uploaded.path)
        paths.push(uploaded.path)
      }
    } catch (error) {
      this.importError = `Could not upload: ${errorText(error, { field: true })}`
      this.importing = false
      this.uploadProgress = null
      return null
    }
    this.uploadProgress = null
    this.importing = false
    return this.importFiles(paths.join('\n'), name, kind)
  }

  async load(): Promise<void> {
    this.loading = true
    this.loadError = null
    try {
      this.datasets = await callOn(this.api, 'datasets.list')
    } catch (error) {
      this.loadError = errorText(error, { field: true })
    } finally {
      this.loading = false
    }
  }

  /**
   * Imports the listed files; returns the datasets, or null with `importError` set (nothing was imported).
   * `kind` '' detects it from the files (IDX files of 28×28 images read as MNIST unless named fashion…), as
   * `clab data import` without --kind does; a kind that does not fit the files is refused naming them.
   */
  async importFiles(
    pathsText: string,
    name: string,
    kind: ImageDatasetKind | '' = '',
  ): Promise<ImageDatasetRecord[] | null> {
    this.importError = null
    this.importResult = null
    const paths = parsePaths(pathsText)
    if (paths.length === 0) {
      this.importError =
        'Enter the paths of the files to import: IDX images and labels (raw or .gz), or CIFAR-10 batches.'
      return null
    }
    this.importing = true
    try {
      const n = name.trim()
      const result = await callOn(this.api, 'datasets.import', {
        paths,
        ...(n === '' ? {} : { name: n }),
        ...(kind === '' ? {} : { kind }),
      })
      const imported = result.datasets.map((d) => d.dataset)
      const ids = new Set(imported.map((d) => d.id))
      this.datasets = [...imported, ...this.datasets.filter((d) => !ids.has(d.id))]
      this.importResult = result.datasets
        .map(
          ({ dataset, created }) =>
            `${created ? 'Imported' : 'Already here:'} “${dataset.name}” (${dataset.kind}, ${datasetShape(dataset)})`,
        )
        .join('; ')
      return imported
    } catch (error) {
      this.importError = errorText(error, { field: true })
      return null
    } finally {
      this.importing = false
    }
  }
}
