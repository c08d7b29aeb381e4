/**
 * #18: the wasm backend's SplitV (wasm-split.ts) copies each piece once from the heap instead of copying the
 * whole input per piece, which made Adam's flat update 40 % of a 2D teacher step. Its pieces must be exactly
 * tfjs's, along the first axis (its own path) and any other (the package's kernel), and leak nothing.
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

async function pieces(
  x: tf.Tensor,
  sizes: number[],
  axis: number,
): Promise<Array<{ shape: number[]; data: number[] }>> {
  const parts = tf.split(x, sizes, axis)
  const out = await Promise.all(parts.map(async (p) => ({ shape: p.shape, data: Array.from(await p.data()) })))
  tf.dispose(parts)
  return out
}

/** What each piece must be: the same rows read one by one through data(). */
async function expected(x: tf.Tensor, sizes: number[], axis: number) {
  const all = (await x.array()) as number[][]
  const rows = axis === 0 ? all : (all[0]?.map((_, j) => all.map((r) => r[j] as number)) ?? [])
  let at = 0
  return sizes.map((n) => {
    const part = rows.slice(at, at + n)
    at += n
    const shaped = axis === 0 ? part : (part[0] ?? []).map((_, i) => part.map((c) => c[i] as number))
    return { shape: axis === 0 ? [n, x.shape[1] as number] : [x.shape[0] as number, n], data: shaped.flat() }
  })
}

describe('#18 SplitV on wasm', () => {
  it('#18 is registered for wasm and splits along the first axis exactly, leaking nothing', async () => {
    expect(tf.getBackend()).toBe('wasm')
    const x = tf.tensor2d(Rng.fromSeed(2).normals(60 * 7), [60, 7])
    const sizes = [1, 13, 40, 6]
    const before = tf.memory().numTensors
    expect(await pieces(x, sizes, 0)).toEqual(await expected(x, sizes, 0))
    expect(tf.memory().numTensors).toBe(before)
    // A 1-D vector, as Adam and the EMAs split it, many times over (the heap may grow between pieces).
    const flat = tf.tensor1d(Rng.fromSeed(3).normals(100_000))
    const many = Array.from({ length: 50 }, () => 2000)
    const parts = tf.split(flat, many)
    const values = await flat.data()
    for (let i = 0; i < parts.length; i++)
      expect(Array.from(await (parts[i] as tf.Tensor).data())).toEqual(
        Array.from(values.subarray(i * 2000, (i + 1) * 2000)),
      )
    tf.dispose([...parts, flat, x])
  })

  it('#18 never reads the whole input out of the heap (the package kernel did, once per piece)', () => {
    const reads = countReadSync(() => {
      const flat = tf.tensor1d(new Float32Array(1000).fill(1))
      tf.dispose([...tf.split(flat, [100, 400, 500]), flat])
    })
    expect(reads).toBe(0)
  })

  it('#18 other axes go to the package kernel and agree too', async () => {
    const x = tf.tensor2d(Rng.fromSeed(4).normals(5 * 9), [5, 9])
    expect(await pieces(x, [2, 3, 4], 1)).toEqual(await expected(x, [2, 3, 4], 1))
    x.dispose()
  })
})
