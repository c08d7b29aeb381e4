/**
 * Image sample grids as the backend writes them (src-main: 64 images, 8 per row, 1-px grey gaps around and
 * between the cells, image i at column i % 8, row floor(i / 8)), read back as RGBA arrays: where each cell
 * is, cutting cells out, and the teacher | 1-step | 2-step | |1-step − teacher| comparison of the first
 * images. The grids come from the same fixed preview noise, so cell i of two grids is the same x_T.
 * Pure functions over RGBA arrays (no DOM), so the composition is unit-tested without a canvas.
 */

/** Images per grid row. */
export const GRID_COLUMNS = 8
/** Gap between (and around) cells, in pixels. */
export const GRID_GAP = 1
/** Grey of the gaps of the composed comparison (the backend's gaps are grey too). */
export const GAP_GREY = 128

export interface RgbaImage {
  width: number
  height: number
  /** width * height * 4 bytes, row-major RGBA. */
  data: Uint8ClampedArray
}

export interface CellSize {
  width: number
  height: number
}

export interface CellRect {
  x: number
  y: number
  width: number
  height: number
}

/**
 * The cell size of a grid `pngWidth` pixels wide: (width − 9) / 8 for 8 columns with 1-px gaps; the
 * dataset's height when known (a non-square image), else square cells. Null when the width is not a grid's.
 */
export function gridCellSize(pngWidth: number, known?: { height: number; width: number } | null): CellSize | null {
  const w = (pngWidth - GRID_GAP * (GRID_COLUMNS + 1)) / GRID_COLUMNS
  if (!Number.isInteger(w) || w < 1) return null
  if (known && known.width === w && Number.isInteger(known.height) && known.height >= 1)
    return { width: w, height: known.height }
  return { width: w, height: w }
}

/** Rows of a grid `pngHeight` pixels high with cells of `cell.height`; null when the height does not fit. */
export function gridRows(pngHeight: number, cell: CellSize): number | null {
  const rows = (pngHeight - GRID_GAP) / (cell.height + GRID_GAP)
  return Number.isInteger(rows) && rows >= 1 ? rows : null
}

/** Where image `index` sits in a grid with cells of `cell`. */
export function cellRect(index: number, cell: CellSize): CellRect {
  const col = index % GRID_COLUMNS
  const row = Math.floor(index / GRID_COLUMNS)
  return {
    x: GRID_GAP + col * (cell.width + GRID_GAP),
    y: GRID_GAP + row * (cell.height + GRID_GAP),
    width: cell.width,
    height: cell.height,
  }
}

/** The RGBA pixels of `rect` in `image` (a new array). Throws when the rect leaves the image. */
export function extractCell(image: RgbaImage, rect: CellRect): RgbaImage {
  if (rect.x < 0 || rect.y < 0 || rect.x + rect.width > image.width || rect.y + rect.height > image.height) {
    throw new RangeError(
      `cell ${rect.width}x${rect.height} at (${rect.x}, ${rect.y}) is outside the ${image.width}x${image.height} grid`,
    )
  }
  const out = new Uint8ClampedArray(rect.width * rect.height * 4)
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * image.width + rect.x) * 4
    out.set(image.data.subarray(from, from + rect.width * 4), y * rect.width * 4)
  }
  return { width: rect.width, height: rect.height, data: out }
}

/** Per-pixel |a − b| of the colour channels (opaque alpha): where a student departs from its teacher. */
export function absDifference(a: RgbaImage, b: RgbaImage): RgbaImage {
  if (a.width !== b.width || a.height !== b.height)
    throw new RangeError(`cannot difference a ${a.width}x${a.height} image with a ${b.width}x${b.height} one`)
  const out = new Uint8ClampedArray(a.data.length)
  for (let i = 0; i < out.length; i += 4) {
    out[i] = Math.abs((a.data[i] as number) - (b.data[i] as number))
    out[i + 1] = Math.abs((a.data[i + 1] as number) - (b.data[i + 1] as number))
    out[i + 2] = Math.abs((a.data[i + 2] as number) - (b.data[i + 2] as number))
    out[i + 3] = 255
  }
  return { width: a.width, height: a.height, data: out }
}

/** Mean of |a − b| over the colour channels, in [0, 255]. */
export function meanAbsDifference(a: RgbaImage, b: RgbaImage): number {
  return meanColour(absDifference(a, b))
}

/** Mean over the colour channels of an image (of a difference image: the mean absolute difference). */
function meanColour(d: RgbaImage): number {
  let sum = 0
  for (let i = 0; i < d.data.length; i += 4)
    sum += (d.data[i] as number) + (d.data[i + 1] as number) + (d.data[i + 2] as number)
  return d.data.length === 0 ? 0 : sum / ((d.data.length / 4) * 3)
}

function blank(width: number, height: number, grey: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4)
  for (let i = 0; i < data.length; i += 4) {
    data[i] = grey
    data[i + 1] = grey
    data[i + 2] = grey
    data[i + 3] = 255
  }
  return { width, height, data }
}

function paste(target: RgbaImage, cell: RgbaImage, x: number, y: number): void {
  for (let row = 0; row < cell.height; row++) {
    target.data.set(
      cell.data.subarray(row * cell.width * 4, (row + 1) * cell.width * 4),
      ((y + row) * target.width + x) * 4,
    )
  }
}

export const COMPARISON_COLUMNS = ['teacher', '1 step', '2 steps', '|1 step − teacher|'] as const

export interface ComparisonInput {
  teacher: RgbaImage
  nfe1: RgbaImage
  /** Missing before the first 2-step preview: its column stays grey. */
  nfe2: RgbaImage | null
  cell: CellSize
  /** Images (rows) to compare; at most what every grid holds. */
  count?: number
}

export interface Comparison {
  image: RgbaImage
  rows: number
  /** Mean |1 step − teacher| per row, in [0, 255]. */
  meanDifference: number[]
}

/**
 * One row per image i (0 … count − 1): teacher | 1 step | 2 steps | |1 step − teacher|, 1-px grey gaps
 * around and between the cells, the same layout rule as the backend's grids (cell rects by `cellRect` of a
 * 4-column grid). Rows past what a grid holds are left out.
 */
export function composeComparison(input: ComparisonInput): Comparison {
  const { cell } = input
  const fits = (g: RgbaImage) => {
    const rows = gridRows(g.height, cell) ?? 0
    return rows * GRID_COLUMNS
  }
  const available = Math.min(fits(input.teacher), fits(input.nfe1), input.nfe2 ? fits(input.nfe2) : Infinity)
  const rows = Math.max(0, Math.min(input.count ?? GRID_COLUMNS, available))
  const cols = COMPARISON_COLUMNS.length
  const image = blank(cols * cell.width + (cols + 1) * GRID_GAP, rows * cell.height + (rows + 1) * GRID_GAP, GAP_GREY)
  const meanDifference: number[] = []
  for (let i = 0; i < rows; i++) {
    const rect = cellRect(i, cell)
    const teacher = extractCell(input.teacher, rect)
    const one = extractCell(input.nfe1, rect)
    const two = input.nfe2 ? extractCell(input.nfe2, rect) : null
    const diff = absDifference(one, teacher)
    meanDifference.push(meanColour(diff))
    const y = GRID_GAP + i * (cell.height + GRID_GAP)
    const x = (c: number) => GRID_GAP + c * (cell.width + GRID_GAP)
    paste(image, teacher, x(0), y)
    paste(image, one, x(1), y)
    if (two) paste(image, two, x(2), y)
    paste(image, diff, x(3), y)
  }
  return { image, rows, meanDifference }
}
