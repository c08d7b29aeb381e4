/** The shared pixel scaling: bytes to [-1, 1] and back. */
import { describe, expect, it } from 'vitest'
import { IMAGE_SIGMA_DATA, pixelToUnit, scalePixels, unitToPixel, unscalePixels } from '@shared/data/images'

describe('pixel scaling', () => {
  it('maps 0, 127.5 and 255 to -1, 0 and 1, and every byte back to itself', () => {
    expect(pixelToUnit(0)).toBe(-1)
    expect(pixelToUnit(255)).toBe(1)
    expect(pixelToUnit(127.5)).toBe(0)
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const scaled = scalePixels(bytes)
    expect(scaled).toBeInstanceOf(Float32Array)
    expect(Math.min(...scaled)).toBe(-1)
    expect(Math.max(...scaled)).toBe(1)
    // Float32 rounding must not move any level to its neighbour.
    expect([...unscalePixels(scaled)]).toEqual([...bytes])
  })

  it('clips samples outside [-1, 1] and draws NaN as black', () => {
    expect([...unscalePixels([-3, -1, 1, 2.5, Number.NaN, 0.001])]).toEqual([0, 0, 255, 255, 0, 128])
    expect(unitToPixel(-0.999)).toBe(0)
  })

  it('writes into a given buffer and refuses one of another length', () => {
    const out = new Float32Array(2)
    expect(scalePixels([0, 255], out)).toBe(out)
    expect(() => scalePixels([0, 255, 3], out)).toThrow(RangeError)
  })

  it('sigmaData for images is 0.5', () => {
    expect(IMAGE_SIGMA_DATA).toBe(0.5)
  })
})
