/**
 * 2D samples as a bare PNG scatter plot (a thumbnail; scatter-figure.ts draws the exported figure with axes
 * and legend): held-out data in grey under the samples in colour, on the given square (±extent) or, by
 * default, the robust range of the data and samples, so the data fills the picture. pngjs encodes.
 */
import { PNG } from 'pngjs'
import { robustSquare, type XY } from '@shared/robust-range'

export interface ScatterOptions {
  size?: number
  /** Half-width of the square plotted around 0, in data units; default: the data's robust range. */
  extent?: number
  /** Points drawn underneath in grey (the held-out data). */
  background?: Float32Array | null
  color?: [number, number, number]
}

const BACKGROUND: [number, number, number] = [255, 255, 255]
const DATA_GREY: [number, number, number] = [200, 200, 200]
const SAMPLE_BLUE: [number, number, number] = [31, 94, 190]

export function scatterPng(points: Float32Array, options: ScatterOptions = {}): Buffer {
  const size = options.size ?? 512
  const box =
    options.extent !== undefined
      ? { minX: -options.extent, maxX: options.extent, minY: -options.extent, maxY: options.extent }
      : (robustSquare(options.background ? [pairs(options.background)] : [], [pairs(points)]) ?? {
          minX: -2.5,
          maxX: 2.5,
          minY: -2.5,
          maxY: 2.5,
        })
  const png = new PNG({ width: size, height: size })
  for (let i = 0; i < size * size; i++) {
    png.data[4 * i] = BACKGROUND[0]
    png.data[4 * i + 1] = BACKGROUND[1]
    png.data[4 * i + 2] = BACKGROUND[2]
    png.data[4 * i + 3] = 255
  }
  const plot = (set: Float32Array, [r, g, b]: [number, number, number]) => {
    for (let i = 0; i + 1 < set.length; i += 2) {
      const px = Math.round((((set[i] as number) - box.minX) / (box.maxX - box.minX)) * (size - 1))
      const py = Math.round(((box.maxY - (set[i + 1] as number)) / (box.maxY - box.minY)) * (size - 1))
      // A 2x2 dot; points outside the square are not drawn.
      for (let dx = 0; dx < 2; dx++) {
        for (let dy = 0; dy < 2; dy++) {
          const x = px + dx
          const y = py + dy
          if (x < 0 || y < 0 || x >= size || y >= size) continue
          const o = 4 * (y * size + x)
          png.data[o] = r
          png.data[o + 1] = g
          png.data[o + 2] = b
        }
      }
    }
  }
  if (options.background) plot(options.background, DATA_GREY)
  plot(points, options.color ?? SAMPLE_BLUE)
  return PNG.sync.write(png)
}

function pairs(flat: Float32Array): XY[] {
  const out: XY[] = []
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ x: flat[i] as number, y: flat[i + 1] as number })
  return out
}

/** Reads an `x,y` CSV written by the engine (header line, then one point per line). */
export function readPointsCsv(text: string): Float32Array {
  const lines = text.trim().split('\n').slice(1)
  const out = new Float32Array(lines.length * 2)
  lines.forEach((line, i) => {
    const [x, y] = line.split(',')
    out[2 * i] = Number(x)
    out[2 * i + 1] = Number(y)
  })
  return out
}
