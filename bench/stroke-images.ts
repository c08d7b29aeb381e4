/** The benches' image data: smooth 28x28 stroke images in [-1, 1], served as a stored dataset would be. */
import type { ImageRows } from '../src-main/engine/data-source'

export const SIDE = 28

/** `count` stroke images (not uniform noise, so losses behave as on real digits). */
export function strokeRows(count: number): ImageRows {
  const size = SIDE * SIDE
  const all = Float32Array.from({ length: count * size }, (_, i) =>
    Math.tanh(3 * Math.sin(i / 9 + Math.floor(i / size)) * Math.cos(i / 130)),
  )
  return {
    count,
    height: SIDE,
    width: SIDE,
    channels: 1,
    batch(indices) {
      const images = new Float32Array(indices.length * size)
      for (let i = 0; i < indices.length; i++)
        images.set(all.subarray((indices[i] as number) * size, ((indices[i] as number) + 1) * size), i * size)
      return { images }
    },
  }
}
