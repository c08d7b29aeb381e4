/**
 * #18: Adam updates every parameter at once, over flat moment buffers. One update launches the same kernels
 * whatever the number of parameters (a U-Net has 104; per parameter it was 13 kernels each, half a step's
 * launches on a GPU), and on cpu it computes bit for bit what the per-parameter form computed, so losses,
 * resumes and the moments a checkpoint stores (per parameter name, as before) are unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { Rng } from '@shared/rng'
import { Adam, type AdamState } from '../../src-main/engine/adam'
import { tf } from '../../src-main/engine/tf'
import { emaAssign } from '../../src-main/engine/weights'
import { useCpu } from '../helpers/engine'

beforeAll(useCpu)

/** Kernels that only relabel a buffer (no device work on any backend). */
const VIEWS = new Set(['Reshape', 'Identity'])

const SHAPES: number[][] = [[3, 4], [4], [2, 2, 3, 5], [1], [7, 3]]

function makeParams(k: number, seed: number): tf.Variable[] {
  const rng = Rng.fromSeed(seed)
  return Array.from({ length: k }, (_, i) => {
    const shape = SHAPES[i % SHAPES.length] as number[]
    return tf.variable(tf.tensor(rng.normals(shape.reduce((a, b) => a * b, 1)), shape), true)
  })
}

function makeGrads(params: tf.Variable[], rng: Rng): tf.Tensor[] {
  return params.map((p) => tf.tensor(rng.normals(p.size), p.shape))
}

/** The per-parameter Adam this file replaced, kept here as the reference the flat one must equal bit for bit. */
class PerParameterAdam {
  step = 0
  readonly m: tf.Variable[]
  readonly v: tf.Variable[]
  constructor(private readonly params: tf.Variable[]) {
    this.m = params.map((p) => tf.variable(tf.zerosLike(p), false))
    this.v = params.map((p) => tf.variable(tf.zerosLike(p), false))
  }
  apply(grads: tf.Tensor[], lr: number): void {
    this.step += 1
    const stepSize = lr / (1 - 0.9 ** this.step)
    const sqrtBias2 = Math.sqrt(1 - 0.999 ** this.step)
    tf.tidy(() =>
      this.params.forEach((p, i) => {
        const g = grads[i] as tf.Tensor
        const m = this.m[i] as tf.Variable
        const v = this.v[i] as tf.Variable
        m.assign(tf.add(tf.mul(m, 0.9), tf.mul(g, 1 - 0.9)))
        v.assign(tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 1 - 0.999)))
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBias2), 1e-8)
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), stepSize)))
      }),
    )
  }
}

const names = (k: number) => Array.from({ length: k }, (_, i) => `p${i}`)

async function kernelsOfOneUpdate(k: number): Promise<{ all: number; launches: number }> {
  const params = makeParams(k, 100 + k)
  const adam = new Adam(params)
  const grads = makeGrads(params, Rng.fromSeed(1))
  adam.apply(grads, 1e-3) // the first update is profiled like any other, but warm anyway
  const profile = await tf.profile(() => adam.apply(grads, 1e-3))
  const launches = profile.kernels.filter((kernel) => !VIEWS.has(kernel.name)).length
  adam.dispose()
  tf.dispose([...params, ...grads])
  return { all: profile.kernels.length, launches }
}

describe('#18 Adam over all parameters at once', () => {
  it('#18 one update launches the same kernels for 2 or 60 parameters, at most 16', async () => {
    const few = await kernelsOfOneUpdate(2)
    const many = await kernelsOfOneUpdate(60)
    expect(many.launches).toBe(few.launches)
    expect(many.launches).toBeLessThanOrEqual(16)
    // Besides them only reshapes: flattening gradients and parameters, and shaping the parameters back.
    expect(many.all - many.launches).toBeLessThanOrEqual(3 * 60)
  })

  it('#18 equals the per-parameter update bit for bit on cpu, moments included, and leaks nothing', async () => {
    const k = 7
    const flatParams = makeParams(k, 5)
    const refParams = makeParams(k, 5)
    const adam = new Adam(flatParams)
    const reference = new PerParameterAdam(refParams)
    const rng = Rng.fromSeed(9)
    const before = tf.memory().numTensors
    for (let step = 1; step <= 6; step++) {
      const grads = makeGrads(flatParams, rng)
      adam.apply(grads, 1e-2 / step)
      reference.apply(grads, 1e-2 / step)
      tf.dispose(grads)
    }
    expect(tf.memory().numTensors).toBe(before)
    for (let i = 0; i < k; i++)
      expect(await (flatParams[i] as tf.Variable).data()).toEqual(await (refParams[i] as tf.Variable).data())
    const state = await adam.save(names(k))
    expect(state.step).toBe(6)
    for (let i = 0; i < k; i++) {
      const first = state.firstMoment[`p${i}`]
      expect(first?.shape).toEqual(refParams[i]?.shape)
      expect(first?.data).toEqual(await (reference.m[i] as tf.Variable).data())
      expect(state.secondMoment[`p${i}`]?.data).toEqual(await (reference.v[i] as tf.Variable).data())
    }
    adam.dispose()
    tf.dispose([...flatParams, ...refParams, ...reference.m, ...reference.v])
  })

  it('#18 an optimizer made, restored and disposed leaves no tensor behind', async () => {
    const params = makeParams(4, 31)
    const before = tf.memory().numTensors
    const adam = new Adam(params)
    adam.restore(await adam.save(names(4)), names(4))
    adam.dispose()
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose(params)
  })

  it('#18 a restored state continues exactly as the uninterrupted optimizer', async () => {
    const k = 5
    const a = makeParams(k, 11)
    const b = makeParams(k, 11)
    const straight = new Adam(a)
    const rng = Rng.fromSeed(3)
    const gradsSeq = Array.from({ length: 4 }, () => makeGrads(a, rng))
    for (const g of gradsSeq.slice(0, 2)) straight.apply(g, 1e-2)
    const saved: AdamState = await straight.save(names(k))
    // b takes a's weights at the save point, then a fresh optimizer takes the saved state.
    for (let i = 0; i < k; i++) (b[i] as tf.Variable).assign(a[i] as tf.Variable)
    const resumed = new Adam(b)
    resumed.restore(saved, names(k))
    expect(resumed.steps).toBe(2)
    for (const g of gradsSeq.slice(2)) {
      straight.apply(g, 1e-2)
      resumed.apply(g, 1e-2)
    }
    for (let i = 0; i < k; i++) expect(await (b[i] as tf.Variable).data()).toEqual(await (a[i] as tf.Variable).data())
    straight.dispose()
    resumed.dispose()
    tf.dispose([...a, ...b, ...gradsSeq.flat()])
  })

  it('#18 a state missing a parameter or of the wrong size is refused by name and changes nothing', async () => {
    const params = makeParams(3, 21)
    const adam = new Adam(params)
    adam.apply(makeGrads(params, Rng.fromSeed(4)), 1e-2)
    const good = await adam.save(names(3))
    const { p1: _dropped, ...missing } = good.secondMoment
    expect(() => adam.restore({ ...good, step: 9, secondMoment: missing }, names(3))).toThrow(
      'optimizer state: second moment of p1 is missing or mis-shaped',
    )
    const short = { ...good.firstMoment, p2: { shape: [1], data: new Float32Array(1) } }
    expect(() => adam.restore({ ...good, step: 9, firstMoment: short }, names(3))).toThrow(
      'optimizer state: first moment of p2 is missing or mis-shaped',
    )
    expect(adam.steps).toBe(1)
    expect(await adam.save(names(3))).toEqual(good)
    expect(() => adam.apply(makeGrads(params, Rng.fromSeed(4)).slice(1), 1e-2)).toThrow('adam: 2 gradients for 3')
    adam.dispose()
    tf.dispose(params)
  })
})

describe('#18 EMA over all parameters at once', () => {
  async function emaLaunches(k: number): Promise<number> {
    const mine = makeParams(k, 200 + k)
    const theirs = makeParams(k, 300 + k)
    const profile = await tf.profile(() => emaAssign(mine, theirs, 0.9))
    tf.dispose([...mine, ...theirs])
    return profile.kernels.filter((kernel) => !VIEWS.has(kernel.name)).length
  }

  it('#18 launches the same kernels for 2 or 60 parameters, at most 6, and keeps each value bit for bit', async () => {
    expect(await emaLaunches(60)).toBe(await emaLaunches(2))
    expect(await emaLaunches(60)).toBeLessThanOrEqual(6)
    const mine = makeParams(6, 41)
    const theirs = makeParams(6, 42)
    const expected = mine.map((v, i) =>
      tf.tidy(() => tf.add(tf.mul(v, 0.97), tf.mul(theirs[i] as tf.Variable, 1 - 0.97))),
    )
    const want = await Promise.all(expected.map((t) => t.data()))
    tf.dispose(expected)
    const before = tf.memory().numTensors
    emaAssign(mine, theirs, 0.97)
    expect(tf.memory().numTensors).toBe(before)
    for (let i = 0; i < mine.length; i++) expect(await (mine[i] as tf.Variable).data()).toEqual(want[i])
    tf.dispose([...mine, ...theirs])
  })
})
