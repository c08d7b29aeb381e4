/**
 * The teacher's DDPM noise schedule and its variance-exploding ("sigma") view.
 *
 * A DDPM with cumulative product alphaBar[k] is the same process as x_ve = x0 + sigma[k] z with
 * sigma[k] = sqrt((1 - alphaBar[k]) / alphaBar[k]) and x_ve = x_vp / sqrt(alphaBar[k])
 * (k-diffusion's DiscreteEpsDDPMDenoiser). Everything here is plain float64 arrays.
 */
export type BetaSchedule = 'linear' | 'cosine'

export interface NoiseSchedule {
  /** Number of discrete teacher steps T. */
  numSteps: number
  betas: Float64Array
  alphaBar: Float64Array
  /** sigma[k] in VE coordinates; increasing in k. */
  sigma: Float64Array
}

/** alphaBar at the last step above this means the last step is not noise (ALGORITHM.md). */
export const MAX_TERMINAL_ALPHA_BAR = 1e-3

/**
 * The least top level a CD grid may have: sigma where alphaBar is MAX_TERMINAL_ALPHA_BAR (31.6), by the
 * same rule that refuses a teacher whose last step is not noise, since one-step sampling starts there from
 * sigmaMax z.
 */
export const MIN_SIGMA_MAX = Math.sqrt((1 - MAX_TERMINAL_ALPHA_BAR) / MAX_TERMINAL_ALPHA_BAR)

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScheduleError'
  }
}

export function makeBetas(kind: BetaSchedule, numSteps: number, betaStart = 1e-4, betaEnd = 0.02): Float64Array {
  const betas = new Float64Array(numSteps)
  if (kind === 'linear') {
    for (let k = 0; k < numSteps; k++) {
      betas[k] = numSteps === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * k) / (numSteps - 1)
    }
    return betas
  }
  // Cosine schedule (Nichol & Dhariwal 2021), betas clipped at 0.999 as in the paper.
  const s = 0.008
  const f = (t: number) => Math.cos(((t / numSteps + s) / (1 + s)) * (Math.PI / 2)) ** 2
  for (let k = 0; k < numSteps; k++) {
    betas[k] = Math.min(1 - f(k + 1) / f(k), 0.999)
  }
  return betas
}

/** The schedule a teacher's config describes: its beta schedule, T and beta range. */
export function scheduleOf(teacher: {
  betaSchedule: BetaSchedule
  numSteps: number
  betaStart: number
  betaEnd: number
}): NoiseSchedule {
  return makeSchedule(teacher.betaSchedule, teacher.numSteps, teacher.betaStart, teacher.betaEnd)
}

export function makeSchedule(kind: BetaSchedule, numSteps: number, betaStart = 1e-4, betaEnd = 0.02): NoiseSchedule {
  const betas = makeBetas(kind, numSteps, betaStart, betaEnd)
  const alphaBar = new Float64Array(numSteps)
  const sigma = new Float64Array(numSteps)
  let prod = 1
  for (let k = 0; k < numSteps; k++) {
    prod *= 1 - (betas[k] as number)
    alphaBar[k] = prod
    sigma[k] = alphaBarToSigma(prod)
  }
  const schedule = { numSteps, betas, alphaBar, sigma }
  assertTerminalIsNoise(schedule)
  return schedule
}

/**
 * One-step sampling starts from N(0, sigmaMax^2 I); that is only the right prior when the last step is
 * (nearly) pure noise. T = 100 with linear betas up to 0.02 keeps 36% of the signal (alphaBar 0.36).
 */
export function assertTerminalIsNoise(schedule: NoiseSchedule): void {
  const last = schedule.alphaBar[schedule.numSteps - 1] as number
  if (!(last <= MAX_TERMINAL_ALPHA_BAR)) {
    throw new ScheduleError(
      `teacher schedule: alphaBar at the last step is ${last.toPrecision(3)} (> ${MAX_TERMINAL_ALPHA_BAR}); ` +
        `the last step is not noise, so sampling from N(0, I) would be wrong. ` +
        `Use more steps (T) or a larger beta end.`,
    )
  }
}

export function alphaBarToSigma(alphaBar: number): number {
  return Math.sqrt((1 - alphaBar) / alphaBar)
}

export function sigmaToAlphaBar(sigma: number): number {
  return 1 / (1 + sigma * sigma)
}

/**
 * k_i = round(i top / (N - 1)), i = 0..N-1: N levels on the teacher's own steps, clean to noisy, up to
 * teacher step `top` (ALGORITHM.md's grid has top = T - 1).
 */
export function uniformStepGrid(numSteps: number, numScales: number, top = numSteps - 1): number[] {
  const grid: number[] = []
  for (let i = 0; i < numScales; i++) grid.push(Math.round((i * top) / (numScales - 1)))
  return grid
}

/**
 * Karras spacing (rho = 7) between the teacher's sigmaMin and the sigma of step `top`, each level mapped to
 * the nearest teacher step; duplicates (possible at the clean end for large N) are removed.
 */
export function karrasStepGrid(
  schedule: NoiseSchedule,
  numScales: number,
  rho = 7,
  top = schedule.numSteps - 1,
): number[] {
  const sigmaMin = schedule.sigma[0] as number
  const sigmaMax = schedule.sigma[top] as number
  const lo = sigmaMin ** (1 / rho)
  const hi = sigmaMax ** (1 / rho)
  const grid: number[] = []
  for (let i = 0; i < numScales; i++) {
    const s = (lo + (i / (numScales - 1)) * (hi - lo)) ** rho
    const k = nearestStep(schedule, s)
    if (grid.length === 0 || grid[grid.length - 1] !== k) grid.push(k)
  }
  return grid
}

/**
 * The walkthrough's level n of N on a T-step teacher: t_n = floor(n T / N), clamped to the last step (n = N
 * would be step T, one past it). Its training pairs (n, n + 1) and its sampling levels both come from here.
 */
export function walkthroughStep(n: number, numSteps: number, numScales: number): number {
  return Math.min(Math.floor((n * numSteps) / numScales), numSteps - 1)
}

/** The walkthrough's levels n = 1..N, clean to noisy, a step reached twice (by the clamp) kept once. */
export function walkthroughStepGrid(numSteps: number, numScales: number): number[] {
  const steps = new Set<number>()
  for (let n = 1; n <= numScales; n++) steps.add(walkthroughStep(n, numSteps, numScales))
  return [...steps].sort((a, b) => a - b)
}

/**
 * The teacher step a CD grid ends at: the last one for `sigmaMax` null (ALGORITHM.md), else the step whose
 * sigma is closest to it. Throws when `sigmaMax` lies above the teacher's last step.
 */
export function gridTopStep(schedule: NoiseSchedule, sigmaMax: number | null): number {
  const last = schedule.numSteps - 1
  if (sigmaMax === null) return last
  const largest = schedule.sigma[last] as number
  if (sigmaMax > largest * (1 + 1e-9)) {
    throw new Error(
      `sigmaMax ${sigmaMax} is above the teacher's largest sigma ${largest.toPrecision(4)} (its last step); lower it or leave it empty`,
    )
  }
  return nearestStep(schedule, sigmaMax)
}

/** The N teacher steps a CD run trains on, clean to noisy: its grid spacing up to its top (gridTopStep). */
export function cdStepGrid(
  schedule: NoiseSchedule,
  numScales: number,
  spacing: 'uniform' | 'karras',
  sigmaMax: number | null,
): number[] {
  const top = gridTopStep(schedule, sigmaMax)
  return spacing === 'karras'
    ? karrasStepGrid(schedule, numScales, 7, top)
    : uniformStepGrid(schedule.numSteps, numScales, top)
}

/** The teacher step whose sigma is closest to `sigma` in log space. */
export function nearestStep(schedule: NoiseSchedule, sigma: number): number {
  const target = Math.log(sigma)
  let best = 0
  let bestDistance = Infinity
  for (let k = 0; k < schedule.numSteps; k++) {
    const d = Math.abs(Math.log(schedule.sigma[k] as number) - target)
    if (d < bestDistance) {
      bestDistance = d
      best = k
    }
  }
  return best
}

/** The name of samplerSteps' spacing, recorded with teacher figures so ones from another sampler are not mixed in. */
export const SAMPLER_STEP_SPACING = 'quadratic-to-clean'

/**
 * The K teacher steps a K-step DDIM/Heun sampler evaluates, noisiest first; its K-th hop goes from the last of
 * them to sigma 0, the clean sample (as DDIM's last step to alphaBar = 1 and EDM's t_N = 0 do), not to step 0:
 * the noise left at step 0 (sigma 0.01, data std 0.5) blurred the checkerboard's edges into 2.5 % more samples
 * off its support. The steps are quadratic in the step index (k_i = (i / K)^2 (T - 1), i = K ... 1, the DDIM
 * paper's "quadratic" selection, Song et al. 2021 sec. D.2), at least one apart so K steps make K hops (a
 * teacher with fewer than K steps gets empty hops at the top, as uniform spacing gave it, so the NFE stays K).
 * Uniform spacing spent most hops where sigma is large and changes slowly and too few where the data's fine
 * structure is drawn. Measured on the built-in teachers (issue 17, DDIM, 4000 samples against held-out data):
 * rings precision at K = 100 0.929 uniform, 0.965 quadratic, 0.967 uniform at K = 1000; at K = 10 0.509
 * against 0.865 (checkerboard 0.658 -> 0.947, off-support 42.5 % -> 10.0 %); then the last hop to sigma 0:
 * checkerboard off-support at K = 100 4.1 % -> 1.6 %. Figures measured before 2026-12-05 used uniform steps
 * ending at step 0.
 */
export function samplerSteps(numSteps: number, numSamplerSteps: number): number[] {
  const steps: number[] = []
  for (let i = numSamplerSteps; i >= 1; i--) {
    const u = i / numSamplerSteps
    steps.push(Math.min(Math.max(Math.round(u * u * (numSteps - 1)), i - 1), numSteps - 1))
  }
  return steps
}

/**
 * The level among `levelSteps` (the teacher steps a student was trained on) whose sigma is closest to
 * `sigma` in log space. Multistep sampling must re-noise to trained levels: the student is conditioned
 * on the step index, and an off-grid step was never part of its training.
 */
export function nearestLevel(schedule: NoiseSchedule, levelSteps: readonly number[], sigma: number): number {
  const target = Math.log(sigma)
  let best = levelSteps[0] as number
  for (const k of levelSteps) {
    if (
      Math.abs(Math.log(schedule.sigma[k] as number) - target) <
      Math.abs(Math.log(schedule.sigma[best] as number) - target)
    )
      best = k
  }
  return best
}

/**
 * The teacher steps one CD hop visits when the teacher's ODE from `hi` (noisier) to `lo` is solved in
 * `substeps` solver steps: evenly spaced in the teacher's step index, `hi` excluded, `lo` last. With a
 * hop shorter than `substeps` some repeat, and a repeated step is a step of length zero.
 */
export function hopSubsteps(hi: number, lo: number, substeps: number): number[] {
  const steps: number[] = []
  for (let j = 1; j <= substeps; j++) steps.push(j === substeps ? lo : Math.round(hi + ((lo - hi) * j) / substeps))
  return steps
}
