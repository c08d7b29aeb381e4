/**
 * Where training batches, held-out data and the data-vs-data floor come from, as flat rows [n, dim]: the
 * built-in 2D datasets (pure functions of the seed) or a stored image dataset (rows are NHWC pixels scaled
 * to [-1, 1]). The engine never opens files: an image source is built over rows someone else opened
 * (ImageDatasetReader in the trainer host).
 */
import { isDataset2D } from '@shared/data/dataset-ref'
import { heldOut2D, sample2D } from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'

export interface ImageShape {
  height: number
  width: number
  channels: number
}

export interface DataShape {
  dim: number
  /** Null for 2D data. */
  image: ImageShape | null
}

export const DATA_2D: DataShape = { dim: 2, image: null }

export interface DataSource extends DataShape {
  readonly name: string
  /** A training batch drawn with the run's generator. */
  train(n: number, rng: Rng): Float32Array
  /** Held-out rows the evaluation compares against: never used for training. */
  heldOut(n: number, seed: number): Float32Array
  /** A second draw of training data, for the data-vs-data floor of the metrics. */
  floor(n: number, seed: number): Float32Array
}

/** Stream of the run seed for the data-vs-data floor (2D and images). */
export const STREAM_DATA_FLOOR = 13
/** Streams of the run seed for image sampling: training indices use the training generator. */
const STREAM_IMAGE_HELD_OUT = 21

export function dataSource2D(name: string): DataSource {
  if (!isDataset2D(name))
    throw new Error(
      `dataset ${JSON.stringify(name)} is not a built-in 2D dataset; image datasets need their stored images`,
    )
  return {
    name,
    ...DATA_2D,
    train: (n, rng) => sample2D(name, n, rng),
    heldOut: (n, seed) => heldOut2D(name, n, seed),
    floor: (n, seed) => sample2D(name, n, Rng.fromSeed(seed, STREAM_DATA_FLOOR)),
  }
}

/** What an image source reads from: ImageDatasetReader has this shape. */
export interface ImageRows extends ImageShape {
  readonly count: number
  batch(indices: ArrayLike<number>): { images: Float32Array }
}

/**
 * The held-out split of an image dataset: its last tenth, at most 10,000 and at least one image. Imported
 * test splits are datasets of their own; holding out within the training set keeps a run self-contained.
 */
export function imageHeldOutCount(count: number): number {
  return Math.max(1, Math.min(10_000, Math.floor(count / 10)))
}

export function imageDataSource(name: string, rows: ImageRows): DataSource {
  const heldOutCount = imageHeldOutCount(rows.count)
  const trainCount = rows.count - heldOutCount
  if (trainCount < 1)
    throw new Error(`dataset ${name} has ${rows.count} image(s): too few to hold some out for evaluation`)
  const image = { height: rows.height, width: rows.width, channels: rows.channels }
  const draw = (first: number, range: number, n: number, rng: Rng) => {
    const indices = new Int32Array(n)
    for (let i = 0; i < n; i++) indices[i] = first + rng.int(range)
    return rows.batch(indices).images
  }
  return {
    name,
    dim: image.height * image.width * image.channels,
    image,
    train: (n, rng) => draw(0, trainCount, n, rng),
    // The first n held-out images in order when there are enough (every run scores against the same set),
    // otherwise a seeded draw with replacement.
    heldOut: (n, seed) =>
      n <= heldOutCount
        ? rows.batch(Array.from({ length: n }, (_, i) => trainCount + i)).images
        : draw(trainCount, heldOutCount, n, Rng.fromSeed(seed, STREAM_IMAGE_HELD_OUT)),
    floor: (n, seed) => draw(0, trainCount, n, Rng.fromSeed(seed, STREAM_DATA_FLOOR)),
  }
}
