/**
 * An imported image dataset as stored in the data folder:
 *
 *   datasets/<id>/images.u8     count × height × width × channels uint8 pixels, NHWC, no header
 *   datasets/<id>/labels.u8     count uint8 labels
 *   datasets/<id>/dataset.json  ImageDatasetMeta (name, kind, source files, shape, classes, sha256)
 *
 * Headerless files keep reading trivial (image i starts at i × imageBytes) from any language; the shape
 * lives in dataset.json and is checked against the file sizes on open. The writer hashes what it stores so
 * equal content is recognised whatever file format or compression it came from; the reader returns batches
 * already scaled to [-1, 1] for the engine.
 */
import { createHash, type Hash } from 'node:crypto'
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import {
  IMAGE_DATASET_KINDS,
  NUM_IMAGE_CLASSES,
  scalePixels,
  type ImageDatasetKind,
  type ImageDatasetMeta,
  type ImageSourceFile,
} from '@shared/data/images'
import { DatasetFileError, shapeText } from './errors'

export const DATASETS_FOLDER = 'datasets'
export const IMAGES_FILE = 'images.u8'
export const LABELS_FILE = 'labels.u8'
export const META_FILE = 'dataset.json'

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** `datasets/<id>` relative to the data folder (what the history row stores). */
export function datasetRelativePath(id: string): string {
  if (!SAFE_ID.test(id) || id.includes('..'))
    throw new Error(`${JSON.stringify(id)} is not a valid dataset id (letters, digits, '.', '_' and '-' only)`)
  return `${DATASETS_FOLDER}/${id}`
}

export interface ImageShape {
  count: number
  height: number
  width: number
  channels: number
}

const imageBytesOf = (s: ImageShape) => s.height * s.width * s.channels

/**
 * Writes one dataset into `dir` (an empty folder the caller made, normally a temp folder that is renamed
 * into place afterwards). Pixels and labels may arrive interleaved (CIFAR) or one after the other (IDX).
 */
export class StoredDatasetWriter {
  private pixelsWritten = 0
  private labelsWritten = 0
  private readonly pixelHash: Hash = createHash('sha256')
  private readonly labelHash: Hash = createHash('sha256')
  private readonly classCounts = new Array<number>(NUM_IMAGE_CLASSES).fill(0)

  private constructor(
    readonly dir: string,
    readonly shape: ImageShape,
    private readonly images: FileHandle,
    private readonly labels: FileHandle,
  ) {}

  static async create(dir: string, shape: ImageShape): Promise<StoredDatasetWriter> {
    const images = await open(join(dir, IMAGES_FILE), 'wx')
    try {
      const labels = await open(join(dir, LABELS_FILE), 'wx')
      return new StoredDatasetWriter(dir, shape, images, labels)
    } catch (error) {
      await images.close()
      throw error
    }
  }

  get totalPixelBytes(): number {
    return this.shape.count * imageBytesOf(this.shape)
  }

  async writePixels(chunk: Uint8Array): Promise<void> {
    if (this.pixelsWritten + chunk.length > this.totalPixelBytes)
      throw new Error(
        `more pixels than ${this.shape.count} images of ${shapeText([this.shape.height, this.shape.width, this.shape.channels])}`,
      )
    this.pixelHash.update(chunk)
    await this.images.write(chunk)
    this.pixelsWritten += chunk.length
  }

  /** Labels must already be checked against their source file (its name belongs in the error). */
  async writeLabels(chunk: Uint8Array): Promise<void> {
    if (this.labelsWritten + chunk.length > this.shape.count)
      throw new Error(`more labels than ${this.shape.count} images`)
    for (const label of chunk) {
      if (label >= NUM_IMAGE_CLASSES) throw new Error(`label ${label} is outside 0..${NUM_IMAGE_CLASSES - 1}`)
      this.classCounts[label] = (this.classCounts[label] as number) + 1
    }
    this.labelHash.update(chunk)
    await this.labels.write(chunk)
    this.labelsWritten += chunk.length
  }

  /** Flushes both files to disk and writes dataset.json. */
  async finish(info: {
    name: string
    kind: ImageDatasetKind
    sourceFiles: ImageSourceFile[]
    classes: readonly string[]
  }): Promise<ImageDatasetMeta> {
    if (this.pixelsWritten !== this.totalPixelBytes || this.labelsWritten !== this.shape.count) {
      throw new Error(
        `incomplete dataset: ${this.pixelsWritten}/${this.totalPixelBytes} pixel bytes, ${this.labelsWritten}/${this.shape.count} labels`,
      )
    }
    await this.closeFiles(true)
    const { count, height, width, channels } = this.shape
    const sha256 = contentHash(this.shape, this.pixelHash.digest('hex'), this.labelHash.digest('hex'))
    const meta: ImageDatasetMeta = {
      name: info.name,
      kind: info.kind,
      sourceFiles: info.sourceFiles,
      count,
      height,
      width,
      channels,
      classes: [...info.classes],
      classCounts: [...this.classCounts],
      sha256,
      files: { images: IMAGES_FILE, labels: LABELS_FILE },
    }
    const handle = await open(join(this.dir, META_FILE), 'wx')
    try {
      await handle.writeFile(`${JSON.stringify(meta, null, 2)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    return meta
  }

  /** Closes the files (their folder is the caller's to remove). */
  async abort(): Promise<void> {
    await this.closeFiles(false)
  }

  private closed = false
  private async closeFiles(sync: boolean): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      if (sync) await Promise.all([this.images.sync(), this.labels.sync()])
    } finally {
      await Promise.allSettled([this.images.close(), this.labels.close()])
    }
  }
}

/**
 * The dataset's identity: its shape and the hashes of its pixels and labels. Independent of the source
 * format, compression and the order pixels and labels were written in.
 */
export function contentHash(shape: ImageShape, pixelSha: string, labelSha: string): string {
  return createHash('sha256')
    .update(
      `clab-image-dataset-v1 ${shape.count}x${shape.height}x${shape.width}x${shape.channels}\n${pixelSha}\n${labelSha}\n`,
    )
    .digest('hex')
}

const metaSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(IMAGE_DATASET_KINDS),
  sourceFiles: z.array(
    z.object({
      path: z.string(),
      bytes: z.number().int().nonnegative(),
      format: z.enum(['idx-images', 'idx-labels', 'cifar10']),
      gzip: z.boolean(),
    }),
  ),
  count: z.number().int().positive(),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  channels: z.number().int().positive(),
  classes: z.array(z.string()),
  classCounts: z.array(z.number().int().nonnegative()),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.object({ images: z.string(), labels: z.string() }),
})

/** Reads and checks `dataset.json` of a stored dataset folder. */
export function readDatasetMeta(dir: string): ImageDatasetMeta {
  const file = join(dir, META_FILE)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new DatasetFileError(file, 'BAD_STORED', `cannot be read as JSON (${(error as Error).message})`, {
      cause: error,
    })
  }
  const parsed = metaSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new DatasetFileError(
      file,
      'BAD_STORED',
      `field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    )
  }
  return parsed.data as ImageDatasetMeta
}

/** A batch in model space: NHWC Float32 in [-1, 1] and its labels. */
export interface ImageBatch {
  images: Float32Array
  labels: Int32Array
  shape: [number, number, number, number]
}

/**
 * Random access to a stored dataset. Labels (one byte per image) are held in memory; pixels are read from
 * the file per batch, so a 150 MB CIFAR-10 training set costs a file descriptor, not its size.
 */
export class ImageDatasetReader implements ImageShape {
  readonly count: number
  readonly height: number
  readonly width: number
  readonly channels: number
  readonly imageBytes: number
  readonly labels: Uint8Array
  private fd: number | null

  private constructor(
    readonly dir: string,
    readonly meta: ImageDatasetMeta,
    fd: number,
    labels: Uint8Array,
  ) {
    this.count = meta.count
    this.height = meta.height
    this.width = meta.width
    this.channels = meta.channels
    this.imageBytes = imageBytesOf(meta)
    this.fd = fd
    this.labels = labels
  }

  /** Opens `dir` (datasets/<id>), checking dataset.json against the sizes of the pixel and label files. */
  static open(dir: string): ImageDatasetReader {
    const meta = readDatasetMeta(dir)
    const labelsFile = join(dir, meta.files.labels)
    const imagesFile = join(dir, meta.files.images)
    let labels: Uint8Array
    try {
      labels = new Uint8Array(readFileSync(labelsFile))
    } catch (error) {
      throw new DatasetFileError(
        labelsFile,
        'BAD_STORED',
        `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { cause: error },
      )
    }
    if (labels.length !== meta.count)
      throw new DatasetFileError(
        labelsFile,
        'BAD_STORED',
        `holds ${labels.length} labels, dataset.json says ${meta.count}`,
      )
    let fd: number
    try {
      fd = openSync(imagesFile, 'r')
    } catch (error) {
      throw new DatasetFileError(
        imagesFile,
        'BAD_STORED',
        `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { cause: error },
      )
    }
    const expected = meta.count * imageBytesOf(meta)
    const size = fstatSync(fd).size
    if (size !== expected) {
      closeSync(fd)
      throw new DatasetFileError(
        imagesFile,
        'BAD_STORED',
        `holds ${size} bytes, dataset.json's ${shapeText([meta.count, meta.height, meta.width, meta.channels])} needs ${expected}`,
      )
    }
    return new ImageDatasetReader(dir, meta, fd, labels)
  }

  /** Raw uint8 NHWC pixels of images `start … start + n - 1`. */
  readPixels(start: number, n: number, out: Uint8Array = new Uint8Array(n * this.imageBytes), at = 0): Uint8Array {
    this.checkRange(start, n)
    const bytes = n * this.imageBytes
    let done = 0
    while (done < bytes) {
      const read = readSync(this.openFd(), out, at + done, bytes - done, start * this.imageBytes + done)
      if (read === 0)
        throw new DatasetFileError(join(this.dir, this.meta.files.images), 'BAD_STORED', 'ended early while reading')
      done += read
    }
    return out
  }

  /** The images at `indices` (in that order), scaled to [-1, 1]. Consecutive indices are read in one call. */
  batch(indices: ArrayLike<number>): ImageBatch {
    const n = indices.length
    const bytes = new Uint8Array(n * this.imageBytes)
    const labels = new Int32Array(n)
    let i = 0
    while (i < n) {
      const first = indices[i] as number
      let run = 1
      while (i + run < n && indices[i + run] === first + run) run++
      this.readPixels(first, run, bytes, i * this.imageBytes)
      for (let k = 0; k < run; k++) labels[i + k] = this.labels[first + k] as number
      i += run
    }
    return { images: scalePixels(bytes), labels, shape: [n, this.height, this.width, this.channels] }
  }

  /** Images `start … start + n - 1`, scaled to [-1, 1]. */
  range(start: number, n: number): ImageBatch {
    this.checkRange(start, n)
    return this.batch(Array.from({ length: n }, (_, k) => start + k))
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`dataset ${this.dir} is closed`)
    return this.fd
  }

  private checkRange(start: number, n: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n < 0 || start + n > this.count) {
      throw new RangeError(`images ${start}…${start + n - 1} are outside 0…${this.count - 1} of ${this.dir}`)
    }
  }
}
