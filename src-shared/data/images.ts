/**
 * Image datasets, the parts every layer shares: pixel scaling between stored bytes and model space, the
 * default sigmaData for images, the dataset kinds with their class names, and the stored record's shape.
 *
 * Pixels are stored as uint8 in [0, 255] and models see x = p / 127.5 - 1 in [-1, 1]. A uniform spread over
 * [-1, 1] has a standard deviation of ~0.58 and natural images sit a little below (most MNIST pixels are
 * -1), so 0.5 is the usual sigmaData for images (Karras et al. 2022; Song et al. 2023 use it on CIFAR-10).
 */

export const IMAGE_SIGMA_DATA = 0.5

/** One stored byte in model space: 0 -> -1, 255 -> 1. */
export function pixelToUnit(byte: number): number {
  return byte / 127.5 - 1
}

/** Model space back to a byte: rounded to the nearest level and clipped, so samples outside [-1, 1] stay drawable. */
export function unitToPixel(x: number): number {
  if (Number.isNaN(x)) return 0
  const p = Math.round((x + 1) * 127.5)
  return p < 0 ? 0 : p > 255 ? 255 : p
}

/** Bytes -> Float32 in [-1, 1], into `out` when given (the same length). */
export function scalePixels(
  bytes: ArrayLike<number>,
  out: Float32Array = new Float32Array(bytes.length),
): Float32Array {
  if (out.length !== bytes.length)
    throw new RangeError(`scalePixels: out has ${out.length} values for ${bytes.length} pixels`)
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i] as number) / 127.5 - 1
  return out
}

/** Model-space values -> bytes (rounded, clipped; NaN -> 0), into `out` when given (the same length). */
export function unscalePixels(
  values: ArrayLike<number>,
  out: Uint8ClampedArray = new Uint8ClampedArray(values.length),
): Uint8ClampedArray {
  if (out.length !== values.length)
    throw new RangeError(`unscalePixels: out has ${out.length} values for ${values.length} pixels`)
  for (let i = 0; i < values.length; i++) out[i] = unitToPixel(values[i] as number)
  return out
}

/**
 * What an imported dataset is. `idx` is any other IDX image set (EMNIST, KMNIST, a non-28×28 file): same
 * reader, no fixed size or class names.
 */
export const IMAGE_DATASET_KINDS = ['mnist', 'fashion-mnist', 'cifar10', 'idx'] as const
export type ImageDatasetKind = (typeof IMAGE_DATASET_KINDS)[number]

/** How the kinds read in the app (the import form's choice). */
export const IMAGE_DATASET_KIND_LABELS: Record<ImageDatasetKind, string> = {
  mnist: 'MNIST',
  'fashion-mnist': 'Fashion-MNIST',
  cifar10: 'CIFAR-10',
  idx: 'other IDX images (EMNIST, KMNIST, …)',
}

/** Class names by label, for the kinds whose labels are fixed. */
export const IMAGE_CLASS_NAMES: Partial<Record<ImageDatasetKind, readonly string[]>> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
  cifar10: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
}

/** Image size each fixed kind must have: [height, width, channels]. */
export const IMAGE_KIND_SHAPES: Partial<Record<ImageDatasetKind, readonly [number, number, number]>> = {
  mnist: [28, 28, 1],
  'fashion-mnist': [28, 28, 1],
  cifar10: [32, 32, 3],
}

/** Labels are single bytes 0..NUM_CLASSES-1 for every kind the app reads. */
export const NUM_IMAGE_CLASSES = 10

export interface ImageSourceFile {
  /** Absolute path at import time. */
  path: string
  bytes: number
  format: 'idx-images' | 'idx-labels' | 'cifar10'
  gzip: boolean
}

/** `datasets/<id>/dataset.json`, also kept in the history row (`meta_json`). */
export interface ImageDatasetMeta {
  name: string
  kind: ImageDatasetKind
  sourceFiles: ImageSourceFile[]
  count: number
  height: number
  width: number
  channels: number
  /** Class names by label (labels are 0..classes.length-1). */
  classes: string[]
  /** Per-class image counts, by label. */
  classCounts: number[]
  /** sha256 (hex) of the stored content: shape line, pixels, labels. Equal content is stored once. */
  sha256: string
  /** The files beside dataset.json: uint8 NHWC pixels and one uint8 label per image. */
  files: { images: string; labels: string }
}

/** The classifier an image dataset's Fréchet distances use (trained by its first image run). */
export interface DatasetClassifierSummary {
  /** Fraction of the dataset's held-out images classified correctly. */
  testAccuracy: number
  steps: number
  trainImages: number
  testImages: number
  backend: string
  createdAt: number
}

/** An imported dataset as the history lists it. */
export interface ImageDatasetRecord {
  id: string
  name: string
  kind: ImageDatasetKind
  /** Folder relative to the data folder: `datasets/<id>`. */
  path: string
  count: number
  height: number
  width: number
  channels: number
  meta: ImageDatasetMeta
  createdAt: number
  /**
   * Set by listings that look at the dataset's folder: its cached classifier (null = not trained yet), or
   * why the cached file cannot be used.
   */
  classifier?: DatasetClassifierSummary | null
  classifierError?: string
}
