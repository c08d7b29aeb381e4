/**
 * Built-in 2D datasets. Every set is centred and scaled so that its overall standard deviation
 * (the root of the mean per-axis variance) is DATA_STD = 0.5, the value the student's sigmaData defaults
 * to. Samples are a pure function of (name, seed, stream), so train batches, held-out data and the
 * renderer's previews agree.
 */
import { Rng } from '../rng'

export const DATASETS_2D = ['moons', '8gaussians', 'checkerboard', 'swissroll', 'rings'] as const
export type Dataset2D = (typeof DATASETS_2D)[number]

/** Documented scale of every 2D dataset. */
export const DATA_STD = 0.5

/** Streams of one seed: training batches and the held-out split never share numbers. */
export const STREAM_TRAIN = 1
export const STREAM_HELD_OUT = 2

type RawSampler = (rng: Rng) => [number, number]

const raw: Record<Dataset2D, RawSampler> = {
  moons(rng) {
    const t = rng.uniform() * Math.PI
    const upper = rng.uniform() < 0.5
    const x = upper ? Math.cos(t) : 1 - Math.cos(t)
    const y = upper ? Math.sin(t) : 0.5 - Math.sin(t)
    return [x + 0.05 * rng.normal(), y + 0.05 * rng.normal()]
  },
  '8gaussians'(rng) {
    const k = rng.int(8)
    const angle = (k * Math.PI) / 4
    return [Math.cos(angle) * 2 + 0.15 * rng.normal(), Math.sin(angle) * 2 + 0.15 * rng.normal()]
  },
  checkerboard(rng) {
    const x = rng.uniform() * 4 - 2
    const column = Math.floor(x + 2)
    const cell = rng.int(2)
    // Alternate columns fill alternate rows, giving 8 filled squares of a 4x4 board.
    const y = rng.uniform() + 2 * cell - 2 + (column % 2)
    return [x, y]
  },
  swissroll(rng) {
    const t = 1.5 * Math.PI * (1 + 2 * rng.uniform())
    return [t * Math.cos(t) + 0.5 * rng.normal(), t * Math.sin(t) + 0.5 * rng.normal()]
  },
  rings(rng) {
    const ring = rng.int(4)
    const radius = [0.25, 0.5, 0.75, 1][ring] as number
    const angle = rng.uniform() * 2 * Math.PI
    return [radius * Math.cos(angle) + 0.02 * rng.normal(), radius * Math.sin(angle) + 0.02 * rng.normal()]
  },
}

/**
 * Centre and scale of each raw set, measured once on 10^6 points (test/shared/datasets2d.test.ts checks
 * that the scaled sets have mean ~0 and std ~DATA_STD).
 */
const normalisation: Record<Dataset2D, { mean: [number, number]; std: number }> = {
  moons: { mean: [0.5, 0.25], std: 0.707 },
  '8gaussians': { mean: [0, 0], std: 1.4222 },
  checkerboard: { mean: [0, 0], std: 1.1546 },
  swissroll: { mean: [2.011, 0.215], std: 6.803 },
  rings: { mean: [0, 0], std: 0.4847 },
}

export function isDataset2D(name: string): name is Dataset2D {
  return (DATASETS_2D as readonly string[]).includes(name)
}

/** Draws n points into a new interleaved [x0, y0, x1, y1, ...] array, advancing `rng`. */
export function sample2D(name: Dataset2D, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * 2)
  const draw = raw[name]
  const { mean, std } = normalisation[name]
  const scale = DATA_STD / std
  for (let i = 0; i < n; i++) {
    const [x, y] = draw(rng)
    out[2 * i] = (x - mean[0]) * scale
    out[2 * i + 1] = (y - mean[1]) * scale
  }
  return out
}

/** The held-out split: a fixed sample of n points for a seed, independent of the training stream. */
export function heldOut2D(name: Dataset2D, n: number, seed: number): Float32Array {
  return sample2D(name, n, Rng.fromSeed(seed, STREAM_HELD_OUT))
}

/** Draws raw (unnormalised) points; used to measure the normalisation constants. */
export function sampleRaw2D(name: Dataset2D, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n * 2)
  for (let i = 0; i < n; i++) {
    const [x, y] = raw[name](rng)
    out[2 * i] = x
    out[2 * i + 1] = y
  }
  return out
}
