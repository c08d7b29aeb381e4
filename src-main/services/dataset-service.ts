/**
 * DatasetService: importing image datasets into the data folder and listing them.
 *
 * An import takes one or more files, recognises each (IDX by its magic number, CIFAR-10 batches by their
 * size), pairs IDX images with their labels, checks everything the files promise (shape, counts, label
 * range, complete data, sound compression) while writing the stored form into a temp folder under
 * `datasets/`, and only then moves the folders into place and inserts the rows, in one write transaction.
 * Any failure leaves no row and no folder. Content already in the history (same sha256 of shape, pixels
 * and labels) is not stored twice: the existing dataset is returned with `created: false`.
 *
 * What an import may store is capped before anything is written: the sizes the headers declare (IDX) or the
 * file sizes (CIFAR-10), summed over the import, must stay within `maxImportBytes` (CLAB_MAX_IMPORT_BYTES),
 * and a .gz header must be plausible for the archive's size (see idx.ts). The readers then never hand on
 * more than the declared bytes, so a gzip bomb writes nothing.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  IMAGE_CLASS_NAMES,
  IMAGE_DATASET_KINDS,
  NUM_IMAGE_CLASSES,
  type ImageDatasetKind,
  type ImageDatasetMeta,
  type ImageDatasetRecord,
  type ImageSourceFile,
} from '@shared/data/images'
import { readCifarBatch } from '../data/cifar'
import { DatasetFileError, shapeText } from '../data/errors'
import { ClassifierFileError, readClassifierFile } from '../files/classifier-file'
import {
  DATASETS_FOLDER,
  ImageDatasetReader,
  META_FILE,
  StoredDatasetWriter,
  datasetRelativePath,
  type ImageShape,
} from '../data/image-dataset'
import { openIdx } from '../data/idx'
import { newRunId, type LabStore } from '../store'
import { detect, groupFiles, planGroup, type Detected, type Group } from './dataset-detection'
import { removeStaleFolders } from '../files/safe-fs'

export { pairKey } from './dataset-detection'

export interface DatasetImportOptions {
  /** Name shown in lists; with several datasets in one import each gets `<name>-<split>`. */
  name?: string
  /** Overrides the detected kind (mnist and fashion-mnist files look alike); checked against the files. */
  kind?: ImageDatasetKind
  now?: number
}

export interface ImportedDataset {
  dataset: ImageDatasetRecord
  /** False when the same content was already in the history and that dataset is returned. */
  created: boolean
}

export interface DatasetImportResult {
  datasets: ImportedDataset[]
}

/** A bad import option (not a file problem): `field` names it so the CLI can name the flag. */
export class DatasetOptionError extends Error {
  readonly code = 'DATASET_OPTION'
  constructor(
    readonly field: 'name' | 'kind' | 'paths' | 'maxBytes',
    message: string,
  ) {
    super(message)
    this.name = 'DatasetOptionError'
  }
}

/** A temp folder older than this was left by an import that crashed: removed at the next import. */
const STALE_IMPORT_MS = 60 * 60 * 1000
const TEMP_PREFIX = '.import-'

/**
 * Bytes one import may store (pixels and labels of all its files): 1 GiB holds every dataset the app knows
 * with room to spare (MNIST train + test 55 MB, CIFAR-10 185 MB, EMNIST byclass's training split 550 MB).
 */
export const DEFAULT_MAX_IMPORT_BYTES = 1024 ** 3
/** Overrides DEFAULT_MAX_IMPORT_BYTES for the CLI, `clab serve` and the app alike: bytes, or with K/M/G. */
export const MAX_IMPORT_BYTES_ENV = 'CLAB_MAX_IMPORT_BYTES'

export interface DatasetServiceOptions {
  /** Bytes one import may store; default: CLAB_MAX_IMPORT_BYTES, else DEFAULT_MAX_IMPORT_BYTES. */
  maxImportBytes?: number
}

/** CLAB_MAX_IMPORT_BYTES as a number of bytes (`536870912`, `512M`, `2GiB`), or undefined when unset. */
export function maxImportBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[MAX_IMPORT_BYTES_ENV]
  if (text === undefined || text.trim() === '') return undefined
  const match = /^\s*(\d+)\s*(?:([KMG])(?:i?B)?|B)?\s*$/i.exec(text)
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(match?.[2] ?? '').toUpperCase()] ?? 1
  const bytes = match ? Number(match[1]) * scale : NaN
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new DatasetOptionError(
      'maxBytes',
      `${MAX_IMPORT_BYTES_ENV} must be a size in bytes greater than 0, e.g. 2147483648 or 2G (got ${JSON.stringify(text)})`,
    )
  }
  return bytes
}

export class DatasetService {
  constructor(
    private readonly store: LabStore,
    private readonly options: DatasetServiceOptions = {},
  ) {
    const cap = options.maxImportBytes
    if (cap !== undefined && (!Number.isSafeInteger(cap) || cap <= 0))
      throw new RangeError(`maxImportBytes must be a whole number of bytes greater than 0 (got ${cap})`)
  }

  /** The cap on one import's stored bytes, read at each import so a bad environment value is named there. */
  get maxImportBytes(): number {
    return this.options.maxImportBytes ?? maxImportBytesFromEnv() ?? DEFAULT_MAX_IMPORT_BYTES
  }

  /** The datasets with their cached classifier's summary (its test accuracy), read from their folders. */
  list(kind?: string): ImageDatasetRecord[] {
    return this.store.datasets.listDatasets(kind ? { kind } : {}).map((d) => ({ ...d, ...this.classifierOf(d) }))
  }

  private classifierOf(dataset: ImageDatasetRecord): Pick<ImageDatasetRecord, 'classifier' | 'classifierError'> {
    try {
      const cached = readClassifierFile(this.folderOf(dataset))
      if (!cached) return { classifier: null }
      const { testAccuracy, steps, trainImages, testImages, backend, createdAt } = cached.info
      return { classifier: { testAccuracy, steps, trainImages, testImages, backend, createdAt } }
    } catch (error) {
      if (error instanceof ClassifierFileError) return { classifier: null, classifierError: error.message }
      throw error
    }
  }

  get(id: string): ImageDatasetRecord {
    return this.store.datasets.getDataset(id)
  }

  find(id: string): ImageDatasetRecord | undefined {
    return this.store.datasets.findDataset(id)
  }

  /** Absolute folder of a stored dataset. */
  folderOf(dataset: ImageDatasetRecord): string {
    return join(this.store.paths.root, dataset.path)
  }

  /** Opens a stored dataset for batches (close it when done). */
  open(id: string): ImageDatasetReader {
    return ImageDatasetReader.open(this.folderOf(this.get(id)))
  }

  /** Imports `paths` (see the file comment). Throws DatasetFileError / DatasetOptionError on bad input. */
  async import(paths: readonly string[], options: DatasetImportOptions = {}): Promise<DatasetImportResult> {
    const name = checkOptions(paths, options)
    const files = paths.map((p) => resolve(p))
    const seen = new Set<string>()
    for (const file of files) {
      if (seen.has(file)) throw new DatasetOptionError('paths', `${file} is listed twice`)
      seen.add(file)
    }
    const cap = this.maxImportBytes
    const detected: Detected[] = []
    for (const file of files) detected.push(await detect(file))
    checkDeclaredSizes(detected, cap)
    const groups = groupFiles(detected)
    const plans = groups.map((group) => ({ group, ...planGroup(group, options.kind) }))

    const root = join(this.store.paths.root, DATASETS_FOLDER)
    mkdirSync(root, { recursive: true })
    removeStaleImports(root, Date.now())
    const temp = await mkdtemp(join(root, TEMP_PREFIX))
    try {
      const written: { folder: string; meta: ImageDatasetMeta }[] = []
      for (const [i, plan] of plans.entries()) {
        const folder = join(temp, String(i))
        await mkdir(folder)
        const datasetName =
          name === undefined
            ? defaultName(plan.kind, plan.group)
            : plans.length === 1
              ? name
              : `${name}-${plan.group.key || i + 1}`
        const meta = await writeGroup(folder, plan.group, plan.shape, { name: datasetName, kind: plan.kind })
        written.push({ folder, meta })
      }
      return { datasets: this.commit(root, written, options.now) }
    } finally {
      await rm(temp, { recursive: true, force: true })
    }
  }

  /**
   * Moves the written folders into place and inserts their rows under one write lock (BEGIN IMMEDIATE), so
   * the "already stored?" check and the insert cannot interleave with another process's import.
   */
  private commit(root: string, written: { folder: string; meta: ImageDatasetMeta }[], now?: number): ImportedDataset[] {
    const moved: string[] = []
    const run = this.store.db.transaction(() => {
      const results: ImportedDataset[] = []
      const bySha = new Map<string, ImageDatasetRecord>()
      for (const { folder, meta } of written) {
        const existing = bySha.get(meta.sha256) ?? this.store.datasets.findBySha256(meta.sha256)
        if (existing) {
          const place = join(this.store.paths.root, existing.path)
          // The row survived but its files did not (deleted by hand): put this copy back in their place.
          if (!existsSync(join(place, META_FILE))) {
            rmSync(place, { recursive: true, force: true })
            renameSync(folder, place)
          }
          bySha.set(meta.sha256, existing)
          results.push({ dataset: existing, created: false })
          continue
        }
        const id = newRunId(now)
        const path = datasetRelativePath(id)
        const target = join(root, id)
        renameSync(folder, target)
        moved.push(target)
        const dataset = this.store.datasets.addDataset({ id, name: meta.name, kind: meta.kind, path, meta, now })
        bySha.set(meta.sha256, dataset)
        results.push({ dataset, created: true })
      }
      return results
    })
    try {
      return run.immediate()
    } catch (error) {
      for (const folder of moved) rmSync(folder, { recursive: true, force: true })
      throw error
    }
  }
}

function checkOptions(paths: readonly string[], options: DatasetImportOptions): string | undefined {
  if (paths.length === 0) throw new DatasetOptionError('paths', 'no files to import')
  if (options.kind !== undefined && !(IMAGE_DATASET_KINDS as readonly string[]).includes(options.kind)) {
    throw new DatasetOptionError(
      'kind',
      `unknown dataset kind ${JSON.stringify(options.kind)} (expected ${IMAGE_DATASET_KINDS.join(', ')})`,
    )
  }
  if (options.name === undefined) return undefined
  const name = options.name.trim()
  if (name.length === 0 || name.length > 200)
    throw new DatasetOptionError('name', `a dataset name has 1 to 200 characters (got ${JSON.stringify(options.name)})`)
  return name
}

/** Refuses an import whose files declare more than `cap` bytes to store, before any of it is read. */
function checkDeclaredSizes(detected: readonly Detected[], cap: number): void {
  const limit = `the import limit of ${cap} bytes (set ${MAX_IMPORT_BYTES_ENV} to raise it)`
  let total = 0
  for (const d of detected) {
    const bytes = d.format === 'cifar10' ? d.info.bytes : d.header.dataBytes
    const what =
      d.format === 'cifar10' ? `holds ${bytes} bytes` : `declares ${shapeText(d.header.dims)} = ${bytes} data bytes`
    if (bytes > cap) throw new DatasetFileError(d.file, 'TOO_LARGE', `${what}, more than ${limit}`)
    total += bytes
    if (total > cap)
      throw new DatasetFileError(
        d.file,
        'TOO_LARGE',
        `${what}; with the files before it this import would store ${total} bytes, more than ${limit}`,
      )
  }
}

function defaultName(kind: ImageDatasetKind, group: Group): string {
  return group.key ? `${kind}-${group.key}` : kind
}

const sourceOf = (file: string, format: ImageSourceFile['format'], gzip: boolean): ImageSourceFile => ({
  path: file,
  bytes: statSync(file).size,
  format,
  gzip,
})

/** Streams one group's files into `folder` in the stored form, checking them on the way. */
async function writeGroup(
  folder: string,
  group: Group,
  shape: ImageShape,
  info: { name: string; kind: ImageDatasetKind },
): Promise<ImageDatasetMeta> {
  const writer = await StoredDatasetWriter.create(folder, shape)
  try {
    let sources: ImageSourceFile[]
    if (group.format === 'idx') {
      const images = await openIdx(group.images.file)
      for await (const chunk of images.chunks) await writer.writePixels(chunk)
      const labels = await openIdx(group.labels.file)
      let index = 0
      for await (const chunk of labels.chunks) {
        const bad = chunk.findIndex((label) => label >= NUM_IMAGE_CLASSES)
        if (bad >= 0) {
          throw new DatasetFileError(
            group.labels.file,
            'BAD_LABEL',
            `label ${chunk[bad]} at index ${index + bad} is outside 0..${NUM_IMAGE_CLASSES - 1}`,
          )
        }
        await writer.writeLabels(chunk)
        index += chunk.length
      }
      sources = [
        sourceOf(group.images.file, 'idx-images', images.header.gzip),
        sourceOf(group.labels.file, 'idx-labels', labels.header.gzip),
      ]
    } else {
      for (const batch of group.batches) {
        for await (const chunk of readCifarBatch(batch.file, batch.info)) {
          await writer.writePixels(chunk.pixels)
          await writer.writeLabels(chunk.labels)
        }
      }
      sources = group.batches.map((b) => sourceOf(b.file, 'cifar10', false))
    }
    const classes = IMAGE_CLASS_NAMES[info.kind] ?? Array.from({ length: NUM_IMAGE_CLASSES }, (_, i) => String(i))
    return await writer.finish({ ...info, sourceFiles: sources, classes })
  } catch (error) {
    await writer.abort()
    throw error
  }
}

function removeStaleImports(root: string, now: number): void {
  removeStaleFolders(root, TEMP_PREFIX, STALE_IMPORT_MS, now)
}
