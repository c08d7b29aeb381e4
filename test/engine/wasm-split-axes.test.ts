/**
 * #18 The wasm SplitV (wasm-split.ts) along inner axes: a U-Net's concat gradient splits [B, H, W, C] along
 * the channels, which the package kernel did by slicing (its Slice copies the whole input out of the heap,
 * then each run of a few dozen values one by one). Pieces must equal the input's values read element by
 * element, for short and long runs, float32 and int32, with no readSync and no leaked tensor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import { selectBackend } from '../../src-main/engine/backend'
import { tf } from '../../src-main/engine/tf'
import { registerWasmSplit } from '../../src-main/engine/wasm-split'
import { countReadSync } from '../helpers/read-sync'

beforeAll(async () => {
  await selectBackend('wasm')
  registerWasmSplit()
})
afterAll(async () => {
  await selectBackend('cpu')
})

/** Element [i0, i1, ...] of a row-major array of `shape`. */
function at(values: ArrayLike<number>, shape: number[], index: number[]): number {
  let flat = 0
  for (let d = 0; d < shape.length; d++) flat = flat * (shape[d] as number) + (index[d] as number)
  return values[flat] as number
}

/** Checks every element of every piece against the input, index by index. */
async function checkSplit(x: tf.Tensor, sizes: number[], axis: number): Promise<void> {
  const xs = await x.data()
  const before = tf.memory().numTensors
  const parts = tf.split(x, sizes, axis)
  let offset = 0
  for (const [k, part] of parts.entries()) {
    const shape = x.shape.map((d, i) => (i === axis ? (sizes[k] as number) : d))
    expect(part.shape).toEqual(shape)
    expect(part.dtype).toBe(x.dtype)
    const ps = await part.data()
    for (let flat = 0; flat < ps.length; flat++) {
      const index: number[] = []
      let rest = flat
      for (let d = shape.length - 1; d >= 0; d--) {
        index[d] = rest % (shape[d] as number)
        rest = Math.floor(rest / (shape[d] as number))
      }
      index[axis] = (index[axis] as number) + offset
      if (ps[flat] !== at(xs, x.shape, index)) {
        throw new Error(`piece ${k} element ${flat}: ${ps[flat]} vs input [${index}] ${at(xs, x.shape, index)}`)
      }
    }
    offset += sizes[k] as number
  }
  tf.dispose(parts)
  expect(tf.memory().numTensors).toBe(before)
}

describe('#18 SplitV on wasm along inner axes', () => {
  it('splits the channels of a [B, H, W, C] tensor (the concat gradient) exactly', async () => {
    const x = tf.tensor4d(Rng.fromSeed(5).normals(3 * 5 * 4 * 12), [3, 5, 4, 12])
    await checkSplit(x, [8, 4], 3)
    await checkSplit(x, [1, 6, 5], 3)
    x.dispose()
  })

  it('splits a middle axis with runs long enough to be copied whole, and int32', async () => {
    const x = tf.tensor3d(Rng.fromSeed(6).normals(2 * 9 * 300), [2, 9, 300])
    await checkSplit(x, [2, 7], 1)
    x.dispose()
    const ints = tf.tensor3d(
      Array.from({ length: 4 * 6 * 3 }, (_, i) => i * 7 - 50),
      [4, 6, 3],
      'int32',
    )
    await checkSplit(ints, [3, 3], 1)
    await checkSplit(ints, [1, 2], 2)
    ints.dispose()
  })

  it('never reads the input out of the heap (the package kernel sliced it once per piece)', () => {
    const reads = countReadSync(() => {
      const x = tf.ones([2, 3, 3, 8])
      tf.dispose([...tf.split(x, [5, 3], 3), x])
    })
    expect(reads).toBe(0)
  })
})
