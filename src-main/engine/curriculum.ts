/**
 * iCT's lognormal sampling of the level index (Song & Dhariwal 2023), with P_mean = -1.1 and P_std = 2.0.
 * Its N doubling curriculum is @shared/cd/training-schedules' ictNumScales, which the previews draw too.
 */
import type { Rng } from '@shared/rng'

export const LOGNORMAL_MEAN = -1.1
export const LOGNORMAL_STD = 2.0

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for sampling weights. */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1
  const a = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * a)
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a)
  return sign * y
}

/**
 * Cumulative probabilities of picking pair n (levels n, n+1 of an ascending sigma grid):
 * p_n ∝ erf((ln sigma_{n+1} - P_mean) / (sqrt 2 P_std)) - erf((ln sigma_n - P_mean) / (sqrt 2 P_std)).
 */
export function lognormalPairCdf(sigmas: ArrayLike<number>): Float64Array {
  const pairs = sigmas.length - 1
  const cdf = new Float64Array(pairs)
  const z = (s: number) => erf((Math.log(s) - LOGNORMAL_MEAN) / (Math.SQRT2 * LOGNORMAL_STD))
  let total = 0
  for (let n = 0; n < pairs; n++) {
    total += Math.max(0, z(sigmas[n + 1] as number) - z(sigmas[n] as number))
    cdf[n] = total
  }
  for (let n = 0; n < pairs; n++) cdf[n] = (cdf[n] as number) / total
  return cdf
}

export function sampleFromCdf(cdf: Float64Array, rng: Rng): number {
  const u = rng.uniform()
  let lo = 0
  let hi = cdf.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((cdf[mid] as number) > u) hi = mid
    else lo = mid + 1
  }
  return lo
}
