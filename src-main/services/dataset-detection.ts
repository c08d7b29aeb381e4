/**
 * What the files of a dataset import are and how they go together: each file recognised from its first bytes
 * (IDX by its magic number, CIFAR-10 batches by their size), IDX images paired with their labels by name, and
 * each group's stored kind and shape checked against the files. Nothing here writes.
 */
import { basename } from 'node:path'
import { IMAGE_KIND_SHAPES, type ImageDatasetKind } from '@shared/data/images'
import { CIFAR_CHANNELS, CIFAR_SIDE, inspectCifar, type CifarInfo } from '../data/cifar'
import { DatasetFileError, shapeText } from '../data/errors'
import { lstatOrNull, regularFileStat, UnsafePathError } from '../files/safe-fs'
import type { ImageShape } from '../data/image-dataset'
import { IDX_UBYTE, idxImageShape, idxRole, isGzipFile, readIdxHeader, type IdxHeader } from '../data/idx'

export type Detected =
  | { format: 'idx-images'; file: string; header: IdxHeader; shape: ImageShape }
  | { format: 'idx-labels'; file: string; header: IdxHeader }
  | { format: 'cifar10'; file: string; info: CifarInfo }

/** One dataset to write: an IDX images/labels pair, or the CIFAR-10 batches of the import. */
export type Group =
  | {
      format: 'idx'
      key: string
      images: Extract<Detected, { format: 'idx-images' }>
      labels: Extract<Detected, { format: 'idx-labels' }>
    }
  | { format: 'cifar10'; key: string; batches: Extract<Detected, { format: 'cifar10' }>[] }

/** What a file is, from its first bytes (and size for CIFAR-10). Reads only the header of IDX files. */
export async function detect(file: string): Promise<Detected> {
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

export function groupFiles(detected: Detected[]): Group[] {
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
export function planGroup(
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
