/**
 * Boundary-condition scalings. With an epsilon network initialised from the teacher, the student is
 *   f(x, sigma) = cSkip(sigma) x + cOut(sigma) D(x, sigma),  cOut = 1 - cSkip,
 *   cSkip(sigma) = sigmaData^2 / ((sigma - sigmaMin)^2 + sigmaData^2)
 * so f(x, sigmaMin) = x exactly (cSkip = 1, cOut = 0) for any network (ALGORITHM.md).
 */
export function cSkip(sigma: number, sigmaMin: number, sigmaData: number): number {
  const shifted = sigma - sigmaMin
  return (sigmaData * sigmaData) / (shifted * shifted + sigmaData * sigmaData)
}

export function cOut(sigma: number, sigmaMin: number, sigmaData: number): number {
  return 1 - cSkip(sigma, sigmaMin, sigmaData)
}

/** VE -> VP input scaling of an epsilon network: x_vp = x_ve / sqrt(1 + sigma^2). */
export function cIn(sigma: number): number {
  return 1 / Math.sqrt(1 + sigma * sigma)
}
