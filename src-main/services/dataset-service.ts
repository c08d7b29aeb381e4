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
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import {
  IMAGE_CLASS_NAMES,
  IMAGE_DATASET_KINDS,
  IMAGE_KIND_SHAPES,
  NUM_IMAGE_CLASSES,
  type ImageDatasetKind,
  type ImageDatasetMeta,
  type ImageDatasetRecord,
  type ImageSourceFile,
} from '@shared/data/images'
import { CIFAR_CHANNELS, CIFAR_SIDE, inspectCifar, readCifarBatch, type CifarInfo } from '../data/cifar'
import { DatasetFileError, shapeText } from '../data/errors'
import { ClassifierFileError, readClassifierFile } from '../files/classifier-file'
import { lstatOrNull, regularFileStat, UnsafePathError } from '../files/safe-fs'
import {
  DATASETS_FOLDER,
  ImageDatasetReader,
  META_FILE,
  StoredDatasetWriter,
  datasetRelativePath,
  type ImageShape,
} from '../data/image-dataset'
import { IDX_UBYTE, idxImageShape, idxRole, isGzipFile, openIdx, readIdxHeader, type IdxHeader } from '../data/idx'
import { newRunId, type LabStore } from '../store'

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

type Detected =
  | { format: 'idx-images'; file: string; header: IdxHeader; shape: ImageShape }
  | { format: 'idx-labels'; file: string; header: IdxHeader }
  | { format: 'cifar10'; file: string; info: CifarInfo }

/** One dataset to write: an IDX images/labels pair, or the CIFAR-10 batches of the import. */
type Group =
  | {
      format: 'idx'
      key: string
      images: Extract<Detected, { format: 'idx-images' }>
      labels: Extract<Detected, { format: 'idx-labels' }>
    }
  | { format: 'cifar10'; key: string; batches: Extract<Detected, { format: 'cifar10' }>[] }

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

/** What a file is, from its first bytes (and size for CIFAR-10). Reads only the header of IDX files. */
async function detect(file: string): Promise<Detected> {
  checkRegularFile(file)
  const { gzip, bytes, head } = isGzipFile(file)
  if (bytes === 0) throw new DatasetFileError(file, 'TRUNCATED', 'is empty')
  if (!gzip && !looksLikeIdx(head, bytes)) {
    if (bytes > 0 && bytes % 3073 === 0) return { format: 'cifar10', file, info: inspectCifar(file) }
    if (head.length < 2 || head[0] !== 0 || head[1] !== 0) {
      const magic = head.length >= 4 ? `0x${head.readUInt32BE(0).toString(16).padStart(8, '0')}` : `(${bytes} bytes)`
      throw new DatasetFileError(
        file,
        'BAD_MAGIC',
        `wrong magic number ${magic}: not an IDX file (images start with 0x00000803, labels with 0x00000801), ` +
          `and ${bytes} bytes is not a whole number of CIFAR-10 records (3073 bytes each)`,
      )
    }
  }
  // A .gz, or a raw file that starts like IDX: its header says what it is, or why it is wrong.
  const header = await readIdxHeader(file)
  if (idxRole(header) === 'labels') return { format: 'idx-labels', file, header }
  return { format: 'idx-images', file, header, shape: idxImageShape(header) }
}

/**
 * Refuses anything but a regular file, by lstat: a symbolic link is refused (not followed), so a link planted
 * in an imported folder or in uploads/ cannot make the import read another file. Readers then open with
 * O_NOFOLLOW (idx.ts), so a link swapped in after this check is refused too.
 */
function checkRegularFile(file: string): void {
  try {
    if (lstatOrNull(file) === null) throw new DatasetFileError(file, 'UNREADABLE', 'cannot be read (ENOENT)')
    // The size is capped later, from what the headers declare (checkDeclaredSizes), with a better message.
    regularFileStat(file, Number.MAX_SAFE_INTEGER)
  } catch (error) {
    if (error instanceof UnsafePathError) throw new DatasetFileError(file, 'UNREADABLE', error.reason, { cause: error })
    throw error
  }
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

/** A raw file whose first bytes parse as an IDX header that accounts for exactly its size. */
function looksLikeIdx(head: Buffer, bytes: number): boolean {
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0 || head[2] !== IDX_UBYTE) return false
  const ndims = head[3] as number
  if (ndims < 1 || ndims > 4 || head.length < 4 + 4 * ndims) return false
  let size = 1
  for (let i = 0; i < ndims; i++) size *= head.readUInt32BE(4 + 4 * i)
  // A short or long file still counts as IDX (the reader names the problem) unless it is a CIFAR batch.
  return 4 + 4 * ndims + size === bytes || bytes % 3073 !== 0
}

/** `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz` share the key `t10k`. */
export function pairKey(file: string): string {
  return basename(file)
    .toLowerCase()
    .replace(/\.gz$/, '')
    .replace(/[-_.]?(images|labels)[-_.]idx[0-9][-_.]ubyte$/, '')
    .replace(/[-_.]?(images|labels)$/, '')
}

function groupFiles(detected: Detected[]): Group[] {
  const images = detected.filter((d): d is Extract<Detected, { format: 'idx-images' }> => d.format === 'idx-images')
  const labels = detected.filter((d): d is Extract<Detected, { format: 'idx-labels' }> => d.format === 'idx-labels')
  const batches = detected.filter((d): d is Extract<Detected, { format: 'cifar10' }> => d.format === 'cifar10')
  const groups: Group[] = []
  if (images.length === 1 && labels.length === 1) {
    groups.push({
      format: 'idx',
      key: pairKey((images[0] as (typeof images)[0]).file),
      images: images[0] as (typeof images)[0],
      labels: labels[0] as (typeof labels)[0],
    })
  } else {
    const labelsByKey = new Map<string, (typeof labels)[0]>()
    for (const l of labels) {
      const key = pairKey(l.file)
      const other = labelsByKey.get(key)
      if (other)
        throw new DatasetFileError(
          l.file,
          'UNPAIRED',
          `and ${other.file} are both labels for "${key}": pass one labels file per images file`,
        )
      labelsByKey.set(key, l)
    }
    for (const image of images) {
      const key = pairKey(image.file)
      const match = labelsByKey.get(key)
      if (!match)
        throw new DatasetFileError(
          image.file,
          'UNPAIRED',
          `is an IDX images file with no labels file beside it in this import (expected one named like ${key}-labels-idx1-ubyte[.gz])`,
        )
      labelsByKey.delete(key)
      groups.push({ format: 'idx', key, images: image, labels: match })
    }
    for (const l of labelsByKey.values()) {
      throw new DatasetFileError(
        l.file,
        'UNPAIRED',
        'is an IDX labels file with no images file in this import: pass its images-idx3-ubyte file too',
      )
    }
  }
  if (batches.length > 0) groups.push({ format: 'cifar10', key: cifarKey(batches.map((b) => b.file)), batches })
  return groups
}

function cifarKey(files: string[]): string {
  const names = files.map((f) => basename(f).toLowerCase())
  if (names.every((n) => /^data_batch/.test(n))) return 'train'
  if (names.every((n) => /^test_batch/.test(n))) return 'test'
  return ''
}

/** The kind and shape a group is stored as; a kind that does not fit the files is refused here. */
function planGroup(
  group: Group,
  requested: ImageDatasetKind | undefined,
): { kind: ImageDatasetKind; shape: ImageShape } {
  if (group.format === 'cifar10') {
    if (requested !== undefined && requested !== 'cifar10') {
      throw new DatasetFileError(
        (group.batches[0] as { file: string }).file,
        'MIXED',
        `is a CIFAR-10 batch, not ${requested}`,
      )
    }
    const count = group.batches.reduce((n, b) => n + b.info.count, 0)
    return { kind: 'cifar10', shape: { count, height: CIFAR_SIDE, width: CIFAR_SIDE, channels: CIFAR_CHANNELS } }
  }
  const { images, labels } = group
  const shape = images.shape
  const labelCount = labels.header.dims[0] as number
  if (labelCount !== shape.count) {
    throw new DatasetFileError(
      labels.file,
      'COUNT_MISMATCH',
      `holds ${labelCount} labels but its images file ${images.file} holds ${shape.count} images`,
    )
  }
  const found = [shape.height, shape.width, shape.channels] as const
  const isMnistShape = shape.height === 28 && shape.width === 28 && shape.channels === 1
  const kind = requested ?? (isMnistShape ? (/fashion/i.test(images.file) ? 'fashion-mnist' : 'mnist') : 'idx')
  const want = IMAGE_KIND_SHAPES[kind]
  if (kind === 'cifar10') throw new DatasetFileError(images.file, 'MIXED', 'is an IDX file, not a CIFAR-10 batch')
  if (want && (want[0] !== found[0] || want[1] !== found[1] || want[2] !== found[2])) {
    throw new DatasetFileError(
      images.file,
      'BAD_DIMENSIONS',
      `holds ${shapeText(found)} images; ${kind} images are ${shapeText(want)}`,
    )
  }
  return { kind, shape }
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
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith(TEMP_PREFIX)) continue
    const dir = join(root, entry)
    try {
      if (now - statSync(dir).mtimeMs > STALE_IMPORT_MS) rmSync(dir, { recursive: true, force: true })
    } catch {
      // Another import finished and removed it in between.
    }
  }
}
