import { describe, expect, it } from 'vitest'
import {
  GAP_GREY,
  absDifference,
  cellRect,
  composeComparison,
  extractCell,
  gridCellSize,
  gridRows,
  meanAbsDifference,
  type CellSize,
  type RgbaImage,
} from '../../../src-renderer/lib/image-grid'

/** A backend-style grid: `count` images of `cell`, 8 per row, 1-px grey gaps; pixel (x, y) of image i is paint(i, x, y). */
function grid(count: number, cell: CellSize, paint: (i: number, x: number, y: number) => number): RgbaImage {
  const rows = Math.ceil(count / 8)
  const width = 8 * cell.width + 9
  const height = rows * cell.height + rows + 1
  const data = new Uint8ClampedArray(width * height * 4)
  for (let i = 0; i < data.length; i += 4) data.set([GAP_GREY, GAP_GREY, GAP_GREY, 255], i)
  for (let i = 0; i < count; i++) {
    const x0 = 1 + (i % 8) * (cell.width + 1)
    const y0 = 1 + Math.floor(i / 8) * (cell.height + 1)
    for (let y = 0; y < cell.height; y++)
      for (let x = 0; x < cell.width; x++) {
        const v = paint(i, x, y)
        data.set([v, v, 255 - v, 255], ((y0 + y) * width + x0 + x) * 4)
      }
  }
  return { width, height, data }
}

const px = (img: RgbaImage, x: number, y: number) => [
  ...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4),
]

describe('grid geometry', () => {
  it('derives the cell size from the PNG width: (width - 9) / 8', () => {
    expect(gridCellSize(8 * 28 + 9)).toEqual({ width: 28, height: 28 })
    expect(gridCellSize(8 * 8 + 9)).toEqual({ width: 8, height: 8 })
    // The dataset's record gives the height of non-square images (when its width matches the grid).
    expect(gridCellSize(8 * 8 + 9, { height: 5, width: 8 })).toEqual({ width: 8, height: 5 })
    expect(gridCellSize(8 * 8 + 9, { height: 5, width: 7 })).toEqual({ width: 8, height: 8 })
    expect(gridCellSize(100)).toBeNull()
    expect(gridCellSize(9)).toBeNull()
  })

  it('counts the rows of a grid and refuses heights that are not one', () => {
    expect(gridRows(8 * 8 + 9, { width: 8, height: 8 })).toBe(8)
    expect(gridRows(2 * 8 + 3, { width: 8, height: 8 })).toBe(2)
    expect(gridRows(20, { width: 8, height: 8 })).toBeNull()
  })

  it('places image i at column i % 8, row floor(i / 8), past the 1-px gaps', () => {
    const cell = { width: 8, height: 8 }
    expect(cellRect(0, cell)).toEqual({ x: 1, y: 1, width: 8, height: 8 })
    expect(cellRect(7, cell)).toEqual({ x: 1 + 7 * 9, y: 1, width: 8, height: 8 })
    expect(cellRect(8, cell)).toEqual({ x: 1, y: 10, width: 8, height: 8 })
    expect(cellRect(63, { width: 28, height: 28 })).toEqual({ x: 1 + 7 * 29, y: 1 + 7 * 29, width: 28, height: 28 })
  })

  it('cuts out exactly one image, and refuses a rect outside the grid', () => {
    const cell = { width: 3, height: 2 }
    const g = grid(16, cell, (i, x, y) => i * 10 + y * 3 + x)
    const c = extractCell(g, cellRect(9, cell))
    expect(c.width).toBe(3)
    expect(c.height).toBe(2)
    expect(px(c, 0, 0)).toEqual([90, 90, 165, 255])
    expect(px(c, 2, 1)).toEqual([95, 95, 160, 255])
    expect(() => extractCell(g, cellRect(16, cell))).toThrow(/outside/)
  })
})

describe('difference and comparison', () => {
  it('takes the per-pixel absolute difference of the colour channels, opaque', () => {
    const a: RgbaImage = { width: 2, height: 1, data: new Uint8ClampedArray([10, 200, 0, 255, 255, 0, 7, 100]) }
    const b: RgbaImage = { width: 2, height: 1, data: new Uint8ClampedArray([30, 100, 0, 0, 0, 255, 7, 255]) }
    const d = absDifference(a, b)
    expect([...d.data]).toEqual([20, 100, 0, 255, 255, 255, 0, 255])
    expect(absDifference(b, a).data).toEqual(d.data)
    expect(meanAbsDifference(a, b)).toBeCloseTo((20 + 100 + 0 + 255 + 255 + 0) / 6)
    expect(meanAbsDifference(a, a)).toBe(0)
    expect(() => absDifference(a, { width: 1, height: 2, data: new Uint8ClampedArray(8) })).toThrow(/cannot difference/)
  })

  it('composes teacher | 1 step | 2 steps | |1 step - teacher| for the first 8 images from the same cells', () => {
    const cell = { width: 4, height: 4 }
    const teacher = grid(64, cell, (i) => 100 + i)
    const nfe1 = grid(64, cell, (i) => 100 + i + (i % 3) * 10)
    const nfe2 = grid(64, cell, (i) => 50 + i)
    const { image, rows, meanDifference } = composeComparison({ teacher, nfe1, nfe2, cell })
    expect(rows).toBe(8)
    expect(image.width).toBe(4 * 4 + 5)
    expect(image.height).toBe(8 * 4 + 9)
    // Row 5 (image 5): each column's first pixel is that grid's image 5; the difference is |nfe1 - teacher|.
    const y = 1 + 5 * 5
    expect(px(image, 1, y)).toEqual([105, 105, 150, 255])
    expect(px(image, 6, y)).toEqual([125, 125, 130, 255])
    expect(px(image, 11, y)).toEqual([55, 55, 200, 255])
    expect(px(image, 16, y)).toEqual([20, 20, 20, 255])
    // Gaps are grey; image 0 has no difference.
    expect(px(image, 0, 0)).toEqual([GAP_GREY, GAP_GREY, GAP_GREY, 255])
    expect(px(image, 5, y)).toEqual([GAP_GREY, GAP_GREY, GAP_GREY, 255])
    expect(px(image, 16, 1)).toEqual([0, 0, 0, 255])
    expect(meanDifference.map((m) => Math.round(m))).toEqual([0, 10, 20, 0, 10, 20, 0, 10])
  })

  it('leaves the 2-step column grey without a 2-step grid, and keeps to the rows every grid holds', () => {
    const cell = { width: 2, height: 2 }
    const teacher = grid(4, cell, () => 10)
    const nfe1 = grid(64, cell, () => 30)
    const { image, rows } = composeComparison({ teacher, nfe1, nfe2: null, cell, count: 8 })
    // A one-row grid holds 8 images (the unpainted ones are gap-grey), so 8 rows at most.
    expect(rows).toBe(8)
    expect(px(image, 1 + 2 * 3, 1)).toEqual([GAP_GREY, GAP_GREY, GAP_GREY, 255])
    expect(px(image, 1 + 3 * 3, 1)).toEqual([20, 20, 20, 255])
    expect(composeComparison({ teacher, nfe1, nfe2: null, cell, count: 3 }).rows).toBe(3)
  })
})
