/** Deterministic pseudo-random values in [-scale, scale) from a 32-bit LCG: test data with no generator state. */
export function lcgValues(n: number, seed: number, scale = 0.5): Float32Array {
  const out = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = (s / 2 ** 32 - 0.5) * 2 * scale
  }
  return out
}
