import { Rng, type RngState } from '@shared/rng'
import { describe, expect, it } from 'vitest'

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextUint32())

/** xoshiro128** written independently with BigInt arithmetic modulo 2^32, as a reference. */
function referenceXoshiro(state: RngState, n: number): number[] {
  const M = 0xffffffffn
  const s = state.map((w) => BigInt(w))
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const [s0, s1, s2, s3] = s as [bigint, bigint, bigint, bigint]
    out.push(Number((rotl((s1 * 5n) & M, 7n) * 9n) & M))
    const t = (s1 << 9n) & M
    const n2 = s2 ^ s0
    const n3 = s3 ^ s1
    s[1] = s1 ^ n2
    s[0] = s0 ^ n3
    s[2] = n2 ^ t
    s[3] = rotl(n3, 11n)
  }
  return out
}

describe('Rng (xoshiro128**)', () => {
  it('matches the reference generator from a known state', () => {
    const state: RngState = [1, 2, 3, 4]
    const rng = Rng.fromState({ state, spareNormal: null })
    const got = draws(rng, 1000)
    // First two outputs by hand: rotl(2 * 5, 7) * 9 = 11520; then s1 becomes 0.
    expect(got.slice(0, 2)).toEqual([11520, 0])
    expect(got).toEqual(referenceXoshiro(state, 1000))
  })

  it('is deterministic for a seed and stream', () => {
    expect(draws(Rng.fromSeed(42), 100)).toEqual(draws(Rng.fromSeed(42), 100))
    expect(draws(Rng.fromSeed(42, 3), 100)).toEqual(draws(Rng.fromSeed(42, 3), 100))
    expect(Rng.fromSeed(42, 3).normals(50)).toEqual(Rng.fromSeed(42, 3).normals(50))
  })

  it('gives unrelated streams for different seeds and streams', () => {
    const base = draws(Rng.fromSeed(42, 0), 100)
    for (const other of [Rng.fromSeed(43, 0), Rng.fromSeed(42, 1), Rng.fromSeed(0, 0)]) {
      const d = draws(other, 100)
      const same = d.filter((v, i) => v === base[i]).length
      expect(same).toBe(0)
    }
    // Stream 0 is the default.
    expect(draws(Rng.fromSeed(7), 10)).toEqual(draws(Rng.fromSeed(7, 0), 10))
  })

  it('save/restore continues the identical stream, including the spare normal', () => {
    const rng = Rng.fromSeed(123, 2)
    rng.normals(7) // odd count: one Box–Muller value is left over
    rng.uniform()
    rng.normal() // consumes the spare...
    rng.normal() // ...and generates a new pair, leaving a spare again
    const saved = rng.save()
    expect(saved.spareNormal).not.toBeNull()

    const roundTripped = JSON.parse(JSON.stringify(saved)) as typeof saved
    const expected = [rng.normal(), rng.normal(), rng.uniform(), rng.nextUint32(), ...rng.normals(5)]
    for (const restored of [Rng.fromState(saved), Rng.fromState(roundTripped)]) {
      const got = [
        restored.normal(),
        restored.normal(),
        restored.uniform(),
        restored.nextUint32(),
        ...restored.normals(5),
      ]
      expect(got).toEqual(expected)
    }
  })

  it('save() is a copy: drawing afterwards does not change the saved state', () => {
    const rng = Rng.fromSeed(5)
    const saved = rng.save()
    const before = JSON.stringify(saved)
    draws(rng, 10)
    expect(JSON.stringify(saved)).toBe(before)
    // ...and restoring does not alias the saved array either.
    const a = Rng.fromState(saved)
    draws(a, 10)
    expect(draws(Rng.fromState(saved), 3)).toEqual(draws(Rng.fromSeed(5), 3))
  })

  it('uniform() is in [0, 1) with mean 1/2 and int(n) covers 0..n-1 evenly', () => {
    const rng = Rng.fromSeed(9)
    let sum = 0
    let min = Infinity
    let max = -Infinity
    const n = 100_000
    for (let i = 0; i < n; i++) {
      const u = rng.uniform()
      sum += u
      min = Math.min(min, u)
      max = Math.max(max, u)
    }
    expect(min).toBeGreaterThanOrEqual(0)
    expect(max).toBeLessThan(1)
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005)
    // uniform() is the next 32-bit word over 2^32, so it never reaches 1.
    const words = draws(Rng.fromSeed(9, 4), 5)
    const u = Rng.fromSeed(9, 4)
    const uniforms = words.map(() => u.uniform())
    expect(uniforms).toEqual(words.map((w) => w / 2 ** 32))

    const counts = new Map<number, number>()
    for (let i = 0; i < 80_000; i++) {
      const k = rng.int(8)
      counts.set(k, (counts.get(k) ?? 0) + 1)
    }
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500)
  })

  it('normal() has mean about 0 and variance about 1', () => {
    const x = Rng.fromSeed(2024, 1).normals(200_000)
    let mean = 0
    for (const v of x) mean += v
    mean /= x.length
    let variance = 0
    let fourth = 0
    for (const v of x) {
      variance += (v - mean) ** 2
      fourth += (v - mean) ** 4
    }
    variance /= x.length
    fourth /= x.length
    expect(Math.abs(mean)).toBeLessThan(0.01)
    expect(Math.abs(variance - 1)).toBeLessThan(0.02)
    // Gaussian kurtosis is 3 (a uniform or a broken transform would not give it).
    expect(Math.abs(fourth / variance ** 2 - 3)).toBeLessThan(0.1)
  })
})
