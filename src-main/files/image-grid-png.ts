/**
 * Image samples as PNG grids (pngjs encodes): a grid of n images, and the comparison grid of the issue —
 * one row per noise draw with columns teacher | student 1-step | student 2-step | |1-step - teacher| —
 * so samples from identical x_T sit side by side. Pixels in [-1, 1]; grey images are drawn grey.
 */
import { PNG } from 'pngjs'
import { unitToPixel } from '@shared/data/images'
import type { ImageShape } from '../engine/data-source'

export interface GridOptions {
  /** Images per row; default the smallest square that holds them. */
  columns?: number
  /** Each pixel drawn as scale x scale. */
  scale?: number
  /** Pixels between images (drawn in the gap colour). */
  gap?: number
}

const GAP_GREY = 128

class Canvas {
  readonly png: PNG
  constructor(width: number, height: number) {
    this.png = new PNG({ width, height })
    this.png.data.fill(GAP_GREY)
    for (let i = 3; i < this.png.data.length; i += 4) this.png.data[i] = 255
  }

  /** Draws image `index` of `images` with its top-left corner at (x, y); `map` turns a value into a byte. */
  draw(
    images: Float32Array,
    index: number,
    shape: ImageShape,
    x: number,
    y: number,
    scale: number,
    map: (v: number) => number,
  ): void {
    const { height, width, channels } = shape
    const base = index * height * width * channels
    const canvasWidth = this.png.width
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const at = base + (r * width + c) * channels
        const rgb =
          channels >= 3
            ? [map(images[at] as number), map(images[at + 1] as number), map(images[at + 2] as number)]
            : [map(images[at] as number)]
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const o = 4 * ((y + r * scale + dy) * canvasWidth + (x + c * scale + dx))
            this.png.data[o] = rgb[0] as number
            this.png.data[o + 1] = (rgb[1] ?? rgb[0]) as number
            this.png.data[o + 2] = (rgb[2] ?? rgb[0]) as number
          }
        }
      }
    }
  }

  encode(): Buffer {
    return PNG.sync.write(this.png)
  }
}

function imageCount(images: Float32Array, shape: ImageShape): number {
  const size = shape.height * shape.width * shape.channels
  if (size === 0 || images.length % size !== 0)
    throw new Error(
      `image grid: ${images.length} values are not whole ${shape.height}x${shape.width}x${shape.channels} images`,
    )
  return images.length / size
}

export function imageGridPng(images: Float32Array, shape: ImageShape, options: GridOptions = {}): Buffer {
  const n = imageCount(images, shape)
  if (n === 0) throw new Error('image grid: no images')
  const columns = Math.max(1, Math.min(n, options.columns ?? Math.ceil(Math.sqrt(n))))
  const rows = Math.ceil(n / columns)
  const scale = options.scale ?? 1
  const gap = options.gap ?? 1
  const cellW = shape.width * scale
  const cellH = shape.height * scale
  const canvas = new Canvas(columns * cellW + (columns + 1) * gap, rows * cellH + (rows + 1) * gap)
  for (let i = 0; i < n; i++) {
    canvas.draw(
      images,
      i,
      shape,
      gap + (i % columns) * (cellW + gap),
      gap + Math.floor(i / columns) * (cellH + gap),
      scale,
      unitToPixel,
    )
  }
  return canvas.encode()
}

export interface ComparisonSets {
  teacher: Float32Array
  oneStep: Float32Array
  twoStep: Float32Array | null
}

/** |a - b| over [-1, 1] pixels spans [0, 2]: drawn as 0 (black) to 255 (white). */
const differenceToPixel = (v: number) => Math.max(0, Math.min(255, Math.round((v / 2) * 255)))

/** One row per image index (at most `rows`): teacher | 1-step | 2-step | |1-step - teacher|. */
export function comparisonGridPng(
  sets: ComparisonSets,
  shape: ImageShape,
  rows = 8,
  options: Pick<GridOptions, 'scale' | 'gap'> = {},
): Buffer {
  const n = Math.min(
    rows,
    imageCount(sets.teacher, shape),
    imageCount(sets.oneStep, shape),
    sets.twoStep ? imageCount(sets.twoStep, shape) : Number.POSITIVE_INFINITY,
  )
  if (n === 0) throw new Error('comparison grid: no images')
  const size = shape.height * shape.width * shape.channels
  const difference = new Float32Array(n * size)
  for (let i = 0; i < difference.length; i++)
    difference[i] = Math.abs((sets.oneStep[i] as number) - (sets.teacher[i] as number))
  const columns: Array<{ images: Float32Array; map: (v: number) => number }> = [
    { images: sets.teacher, map: unitToPixel },
    { images: sets.oneStep, map: unitToPixel },
    ...(sets.twoStep ? [{ images: sets.twoStep, map: unitToPixel }] : []),
    { images: difference, map: differenceToPixel },
  ]
  const scale = options.scale ?? 2
  const gap = options.gap ?? 2
  const cellW = shape.width * scale
  const cellH = shape.height * scale
  const canvas = new Canvas(columns.length * cellW + (columns.length + 1) * gap, n * cellH + (n + 1) * gap)
  for (let r = 0; r < n; r++) {
    columns.forEach((column, c) =>
      canvas.draw(column.images, r, shape, gap + c * (cellW + gap), gap + r * (cellH + gap), scale, column.map),
    )
  }
  return canvas.encode()
}
