import {
  DATA_STD,
  DATASETS_2D,
  heldOut2D,
  isDataset2D,
  sample2D,
  STREAM_HELD_OUT,
  STREAM_TRAIN,
} from '@shared/data/datasets2d'
import { Rng } from '@shared/rng'
import { describe, expect, it } from 'vitest'

function moments(points: Float32Array): { mean: [number, number]; std: number } {
  const n = points.length / 2
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += points[2 * i] as number
    my += points[2 * i + 1] as number
  }
  mx /= n
  my /= n
  let v = 0
  for (let i = 0; i < n; i++) v += ((points[2 * i] as number) - mx) ** 2 + ((points[2 * i + 1] as number) - my) ** 2
  return { mean: [mx, my], std: Math.sqrt(v / (2 * n)) }
}

describe('2D datasets', () => {
  it('lists the five built-in sets', () => {
    expect([...DATASETS_2D]).toEqual(['moons', '8gaussians', 'checkerboard', 'swissroll', 'rings'])
    for (const name of DATASETS_2D) expect(isDataset2D(name)).toBe(true)
    expect(isDataset2D('mnist')).toBe(false)
    expect(STREAM_TRAIN).not.toBe(STREAM_HELD_OUT)
  })

  describe.each(DATASETS_2D)('%s', (name) => {
    it('is a pure function of seed and stream', () => {
      const a = sample2D(name, 1000, Rng.fromSeed(11, STREAM_TRAIN))
      const b = sample2D(name, 1000, Rng.fromSeed(11, STREAM_TRAIN))
      expect(a).toHaveLength(2000)
      expect(b).toEqual(a)
      expect(sample2D(name, 1000, Rng.fromSeed(12, STREAM_TRAIN))).not.toEqual(a)
      for (const v of a) expect(Number.isFinite(v)).toBe(true)
    })

    it('advances the generator: two batches of n equal one batch of 2n', () => {
      const rng = Rng.fromSeed(3, STREAM_TRAIN)
      const first = sample2D(name, 100, rng)
      const second = sample2D(name, 100, rng)
      const whole = sample2D(name, 200, Rng.fromSeed(3, STREAM_TRAIN))
      expect(second).not.toEqual(first)
      expect(Float32Array.from([...first, ...second])).toEqual(whole)
    })

    it(`has mean about 0 and overall std ${DATA_STD} within 3% (100k points)`, () => {
      const { mean, std } = moments(sample2D(name, 100_000, Rng.fromSeed(2024, STREAM_TRAIN)))
      expect(Math.abs(mean[0])).toBeLessThan(0.03 * DATA_STD)
      expect(Math.abs(mean[1])).toBeLessThan(0.03 * DATA_STD)
      expect(Math.abs(std / DATA_STD - 1)).toBeLessThan(0.03)
    })

    it('has a held-out split that is fixed per seed and differs from the training stream', () => {
      const held = heldOut2D(name, 500, 7)
      expect(heldOut2D(name, 500, 7)).toEqual(held)
      expect(held).toEqual(sample2D(name, 500, Rng.fromSeed(7, STREAM_HELD_OUT)))
      const train = sample2D(name, 500, Rng.fromSeed(7, STREAM_TRAIN))
      let shared = 0
      for (let i = 0; i < held.length; i++) if (held[i] === train[i]) shared++
      expect(shared).toBeLessThan(10)
      expect(heldOut2D(name, 500, 8)).not.toEqual(held)
    })
  })

  it('the sets are genuinely different distributions', () => {
    // Same seed and stream, different set: a copy-paste slip in the sampler table would show here.
    const firsts = DATASETS_2D.map((name) => Array.from(sample2D(name, 4, Rng.fromSeed(1, STREAM_TRAIN))).join(','))
    expect(new Set(firsts).size).toBe(DATASETS_2D.length)
  })
})
