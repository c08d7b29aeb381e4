/**
 * Seeded pseudo-random numbers for everything that must be reproducible: data batches, noise, timestep
 * indices, evaluation noise. The state is four 32-bit words so a checkpoint can store it as plain JSON and
 * a resumed run draws exactly the numbers an uninterrupted run would have drawn.
 *
 * Generator: xoshiro128** (Blackman & Vigna), seeded through splitmix32 so that nearby seeds give
 * unrelated streams.
 */
export type RngState = [number, number, number, number]

function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

export class Rng {
  private s: RngState
  /** A second normal from the last Box–Muller pair; part of the state. */
  private spareNormal: number | null = null

  private constructor(state: RngState, spare: number | null) {
    this.s = [...state]
    this.spareNormal = spare
  }

  /** `stream` separates independent uses of one seed (train data, held-out data, evaluation noise). */
  static fromSeed(seed: number, stream = 0): Rng {
    const next = splitmix32((seed ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0)
    const state: RngState = [next(), next(), next(), next()]
    if (state.every((w) => w === 0)) state[0] = 1
    return new Rng(state, null)
  }

  static fromState(saved: { state: RngState; spareNormal: number | null }): Rng {
    return new Rng(saved.state, saved.spareNormal)
  }

  save(): { state: RngState; spareNormal: number | null } {
    return { state: [...this.s], spareNormal: this.spareNormal }
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0
    const t = (s[1] << 9) >>> 0
    s[2] = (s[2] ^ s[0]) >>> 0
    s[3] = (s[3] ^ s[1]) >>> 0
    s[1] = (s[1] ^ s[2]) >>> 0
    s[0] = (s[0] ^ s[3]) >>> 0
    s[2] = (s[2] ^ t) >>> 0
    s[3] = rotl(s[3], 11)
    return result
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n)
  }

  /** Standard normal (Box–Muller; the spare value is kept, not thrown away). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal
      this.spareNormal = null
      return v
    }
    let u = 0
    while (u === 0) u = this.uniform()
    const v = this.uniform()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  normals(n: number): Float32Array {
    const out = new Float32Array(n)
    for (let i = 0; i < n; i++) out[i] = this.normal()
    return out
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}
