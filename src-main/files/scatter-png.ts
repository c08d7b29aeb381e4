/**
 * 2D samples as a PNG scatter plot: held-out data in grey under the samples in colour, on fixed axes
 * (±2.5, five data standard deviations) so plots of different runs and steps line up. pngjs encodes.
 */
import { PNG } from 'pngjs'

export interface ScatterOptions {
  size?: number
  /** Half-width of the square plotted, in data units. */
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
  const extent = options.extent ?? 2.5
  const png = new PNG({ width: size, height: size })
  for (let i = 0; i < size * size; i++) {
    png.data[4 * i] = BACKGROUND[0]
    png.data[4 * i + 1] = BACKGROUND[1]
    png.data[4 * i + 2] = BACKGROUND[2]
    png.data[4 * i + 3] = 255
  }
  const plot = (set: Float32Array, [r, g, b]: [number, number, number]) => {
    for (let i = 0; i + 1 < set.length; i += 2) {
      const px = Math.round((((set[i] as number) + extent) / (2 * extent)) * (size - 1))
      const py = Math.round(((extent - (set[i + 1] as number)) / (2 * extent)) * (size - 1))
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
